import { app, BrowserWindow, shell } from 'electron'
import { join } from 'node:path'
import { createHandlers } from './handlers/index'
import { EventHub } from './rpc/events'
import { resolveHome } from './services/home'
import { openStudio } from './services/studio'
import { registerIpc } from './ipc/register'
import { secureWindowOptions, hardenSession, hardenContents } from './shell/security'

// The app and the CLI share one data directory: AESTUDIO_HOME wins, else Electron's userData.
const home = process.env.AESTUDIO_HOME?.trim() || resolveHome()
app.setPath('userData', home)

if (!app.requestSingleInstanceLock()) app.quit()

const nativeBinding = app.isPackaged
  ? undefined
  : join(app.getAppPath(), '.native', `electron-${process.versions.electron}`, 'better_sqlite3.node')

async function createWindow(): Promise<BrowserWindow> {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Autoencoder Studio',
    webPreferences: secureWindowOptions(join(__dirname, '../preload/index.cjs'))
  })
  hardenContents(win.webContents, (url) => void shell.openExternal(url))
  win.once('ready-to-show', () => win.show())
  if (process.env.ELECTRON_RENDERER_URL) await win.loadURL(process.env.ELECTRON_RENDERER_URL)
  else await win.loadFile(join(__dirname, '../renderer/index.html'))
  return win
}

app.whenReady().then(async () => {
  const studio = openStudio({ home, nativeBinding, electronVersion: process.versions.electron })
  const events = new EventHub()
  hardenSession()
  registerIpc(createHandlers({ studio, events }), events)
  const win = await createWindow()
  app.on('second-instance', () => {
    if (win.isMinimized()) win.restore()
    win.focus()
  })
  app.on('will-quit', () => studio.close())
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
