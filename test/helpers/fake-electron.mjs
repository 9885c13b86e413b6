/* global setTimeout, Request */
// A stand-in for the `electron` module, for running the BUILT main bundle (out/main/index.js) under plain Node:
// it records what the app asks of Electron, then probes the handlers the app installed and prints a report.
const rec = {
  singleInstanceLock: false,
  windows: [],
  schemes: [],
  protocolHandlers: {},
  permissionRequest: null,
  permissionCheck: null,
  windowOpen: null,
  contentsEvents: {},
  ipc: {},
  menu: null,
  loaded: [],
  appEvents: {}
}

export const app = {
  isPackaged: true,
  name: 'Autoencoder Studio',
  setPath() {},
  getAppPath: () => process.cwd(),
  requestSingleInstanceLock: () => ((rec.singleInstanceLock = true), true),
  quit() {},
  whenReady: () => Promise.resolve(),
  on: (event, fn) => (rec.appEvents[event] ??= []).push(fn)
}

const webContents = {
  setWindowOpenHandler: (fn) => (rec.windowOpen = fn),
  on: (event, fn) => (rec.contentsEvents[event] ??= []).push(fn),
  getURL: () => 'app://studio/index.html',
  isDestroyed: () => false,
  send() {},
  reload() {}
}

export class BrowserWindow {
  constructor(options) {
    rec.windows.push(options)
    this.webContents = webContents
    for (const fn of rec.appEvents['web-contents-created'] ?? []) fn({}, webContents)
  }
  static getAllWindows = () => []
  once() {}
  on() {}
  isMinimized = () => false
  isMaximized = () => false
  isDestroyed = () => false
  getNormalBounds = () => ({ x: 0, y: 0, width: 1280, height: 820 })
  async loadURL(url) {
    rec.loaded.push(url)
    setTimeout(report, 50)
  }
  loadFile(file) {
    rec.loaded.push(`loadFile:${file}`)
    setTimeout(report, 50)
  }
}

export const ipcMain = { handle: (ch, fn) => (rec.ipc[ch] = fn), removeHandler() {} }
export const protocol = {
  registerSchemesAsPrivileged: (list) => rec.schemes.push(...list),
  handle: (scheme, fn) => (rec.protocolHandlers[scheme] = fn)
}
export const session = {
  defaultSession: {
    setPermissionRequestHandler: (fn) => (rec.permissionRequest = fn),
    setPermissionCheckHandler: (fn) => (rec.permissionCheck = fn),
    setDevicePermissionHandler() {},
    on() {}
  }
}
export const shell = { openExternal() {}, showItemInFolder() {} }
export const Menu = { buildFromTemplate: (t) => t, setApplicationMenu: (m) => (rec.menu = m) }
export const nativeTheme = { shouldUseDarkColors: false, themeSource: 'system' }
export const screen = { getDisplayMatching: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }) }
export const dialog = {}
export const Notification = { isSupported: () => false }
export const utilityProcess = { fork() {} }
export default { app, BrowserWindow, ipcMain, protocol, session, shell, Menu, nativeTheme, screen, dialog }

const prevented = (event, ...args) => {
  let stopped = false
  for (const fn of rec.contentsEvents[event] ?? []) fn({ preventDefault: () => (stopped = true) }, ...args)
  return stopped
}

async function fetchApp(path) {
  const handler = rec.protocolHandlers.app
  if (!handler) return null
  const res = await handler(new Request(`app://studio${path}`))
  return {
    status: res.status,
    csp: res.headers.get('content-security-policy'),
    type: res.headers.get('content-type')
  }
}

async function report() {
  const permission = await new Promise(
    (resolve) => rec.permissionRequest?.(null, 'media', resolve) ?? resolve(null)
  )
  const call = rec.ipc['aestudio:call']
  const out = {
    singleInstanceLock: rec.singleInstanceLock,
    window: rec.windows[0] ?? null,
    loaded: rec.loaded,
    schemes: rec.schemes,
    permissionGranted: permission,
    permissionCheck: rec.permissionCheck?.(null, 'notifications') ?? null,
    newWindow: rec.windowOpen?.({ url: 'https://example.com/' }) ?? null,
    navigateAwayPrevented: prevented('will-navigate', 'https://evil.example/'),
    navigateFilePrevented: prevented('will-navigate', 'file:///etc/passwd'),
    navigateInsidePrevented: prevented('will-navigate', 'app://studio/index.html#/runs'),
    webviewPrevented: prevented('will-attach-webview', {}, {}),
    foreignCall: call
      ? await call({ senderFrame: { url: 'https://evil.example/' } }, 'app.info', undefined)
      : null,
    appCall: call
      ? await call({ senderFrame: { url: 'app://studio/index.html' } }, 'app.info', undefined)
      : null,
    page: await fetchApp('/index.html'),
    traversal: await fetchApp('/files/..%2fstudio.db'),
    outsideRenderer: await fetchApp('/..%2f..%2fpackage.json'),
    dataFile: await fetchApp('/files/runs/1/preview.png'),
    database: await fetchApp('/files/studio.db'),
    menu: rec.menu
  }
  process.stdout.write(JSON.stringify(out) + '\n')
  process.exit(0)
}
