import pkg from '../../../package.json'
import type { AppInfo } from '../../shared/contract/app'
import { probeBackends } from '../backends/activate'
import { APP_NAME } from './home'
import type { Studio } from './studio'

export const VERSION = pkg.version

export function appInfo(studio: Studio): AppInfo {
  return {
    name: APP_NAME,
    version: VERSION,
    dataDir: studio.paths.home,
    database: studio.paths.database,
    schemaVersion: studio.store.schemaVersion(),
    platform: `${process.platform}-${process.arch}`,
    node: process.versions.node,
    electron: studio.electronVersion,
    backends: probeBackends()
  }
}
