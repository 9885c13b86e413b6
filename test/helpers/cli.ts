import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { join } from 'node:path'

export const ROOT = join(import.meta.dirname, '..', '..')

/** Runs the real `aestudio` entry point (bin/aestudio.js) as a user would, against a given data directory. */
export function aestudio(args: string[], home: string, timeout = 120_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(ROOT, 'bin', 'aestudio.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, AESTUDIO_HOME: home, FORCE_COLOR: '0' },
    encoding: 'utf8',
    timeout
  })
}
