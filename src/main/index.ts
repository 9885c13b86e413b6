import { app, BrowserWindow, shell } from 'electron'
import { join } from 'node:path'
import { createHandlers } from './handlers/index'
import { registerIpc } from './ipc/register'
import { electronLauncher } from './jobs/launcher-electron'
import { JobHost } from './jobs/host'
import { EventHub } from './rpc/events'
import { resolveHome } from './services/home'
import { getSettings } from './services/settings'
import { openStudio, type Studio } from './services/studio'
import { installMenu } from './shell/menu'
import { nativeShellHandlers } from './shell/native-handlers'
import { APP_ORIGIN, mainWindowOptions } from './shell/policy'
import { handleAppScheme, registerAppScheme } from './shell/app-scheme'
import { hardenContents, hardenSession } from './shell/security'
import { followActivity } from './shell/taskbar'
import { backgroundColor, followTheme } from './shell/theme'
import { loadBounds, rememberBounds } from './shell/window-state'

// The app and the CLI share one data directory: AESTUDIO_HOME wins, else Electron's userData.
const home = process.env.AESTUDIO_HOME?.trim() || resolveHome()
app.setPath('userData', home)
const devServer = process.env.ELECTRON_RENDERER_URL || undefined

// One app at a time: a second launch focuses the first window instead of opening the same database twice.
if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  registerAppScheme()
  // Every web contents the app ever creates (windows, devtools, anything a bug might open) gets the same limits.
  app.on('web-contents-created', (_e, contents) =>
    hardenContents(contents, (url) => void shell.openExternal(url))
  )
  void app.whenReady().then(start)
}

// In development better-sqlite3 is loaded from the Electron build that scripts/electron-native.js makes; packaged
// builds have node_modules rebuilt for Electron by electron-builder.
const nativeBinding = app.isPackaged
  ? undefined
  : join(app.getAppPath(), '.native', `electron-${process.versions.electron}`, 'better_sqlite3.node')

let mainWindow: BrowserWindow | null = null
const currentWindow = () => mainWindow

async function createWindow(studio: Studio): Promise<BrowserWindow> {
  const bounds = loadBounds(studio.store.settings)
  const win = new BrowserWindow({
    ...mainWindowOptions(join(__dirname, '../preload/index.cjs'), bounds, backgroundColor()),
    // Linux takes the window icon from here; macOS and Windows from the packaged app.
    ...(process.platform === 'linux' ? { icon: join(app.getAppPath(), 'resources', 'icon.png') } : {})
  })
  rememberBounds(win, studio.store.settings)
  win.once('ready-to-show', () => {
    if (bounds?.maximized) win.maximize()
    win.show()
  })
  let reloads = 0
  win.webContents.on('render-process-gone', (_e, details) => {
    // A crashed page is reloaded (a few times, not in a loop); the engine (main, jobs) carries on.
    if (details.reason !== 'clean-exit' && !win.isDestroyed() && reloads++ < 3) win.webContents.reload()
  })
  win.on('closed', () => (mainWindow = null))
  await win.loadURL(devServer ?? `${APP_ORIGIN}/index.html`)
  return win
}

async function start(): Promise<void> {
  const studio = openStudio({ home, nativeBinding, electronVersion: process.versions.electron })
  const events = new EventHub()
  hardenSession()
  handleAppScheme(join(__dirname, '../renderer'), home)
  // Trainer, importer and the heavy calls run in utilityProcesses, never on this event loop.
  const jobs = new JobHost(
    home,
    electronLauncher(
      join(__dirname, 'jobs.js'),
      nativeBinding ? { AESTUDIO_SQLITE_BINDING: nativeBinding } : {}
    )
  )
  registerIpc(
    { ...createHandlers({ studio, events }, jobs), ...nativeShellHandlers(currentWindow, home) },
    events
  )
  installMenu(app.name, !app.isPackaged, (command) => events.emit('menu.command', { command }))
  followTheme(getSettings(studio).theme, events)
  followActivity(events, currentWindow)

  mainWindow = await createWindow(studio)
  app.on('second-instance', () => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })
  app.on('activate', async () => {
    if (!mainWindow) mainWindow = await createWindow(studio)
  })
  // Jobs end with the app: their runs are marked interrupted at the next start and can be resumed.
  app.on('will-quit', () => {
    jobs.killAll()
    studio.close()
  })
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
