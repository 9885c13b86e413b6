import { homedir } from 'node:os'
import { join } from 'node:path'

export const APP_NAME = 'Autoencoder Studio'

/** The folder Electron's `app.getPath('appData')` returns, computed without Electron so the CLI agrees. */
export function appDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return env.APPDATA ?? join(homedir(), 'AppData', 'Roaming')
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support')
  return env.XDG_CONFIG_HOME || join(homedir(), '.config')
}

/** `$AESTUDIO_HOME` if set, else `<appData>/Autoencoder Studio` (Electron's userData for this app). */
export function resolveHome(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  return env.AESTUDIO_HOME?.trim() || join(appDataDir(env, platform), APP_NAME)
}

/** Where everything lives under the data directory. */
export function layout(home: string) {
  return {
    home,
    database: join(home, 'studio.db'),
    datasets: join(home, 'datasets'),
    dataset: (id: number) => join(home, 'datasets', String(id)),
    runs: join(home, 'runs'),
    run: (id: number) => join(home, 'runs', String(id))
  }
}
export type Layout = ReturnType<typeof layout>
