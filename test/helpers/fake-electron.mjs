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
  appEvents: {},
  switches: [],
  /** Every BrowserWindow made, and every utilityProcess forked (fakes the report drives). */
  windowObjects: [],
  children: [],
  channels: 0
}

let reported = false
const tick = (ms = 10) => new Promise((resolve) => setTimeout(resolve, ms))
async function until(test, what) {
  for (let i = 0; i < 200; i++) {
    if (test()) return
    await tick()
  }
  throw new Error(`fake-electron: timed out waiting for ${what}`)
}

export const app = {
  isPackaged: true,
  name: 'Autoencoder Studio',
  setPath() {},
  getAppPath: () => process.cwd(),
  requestSingleInstanceLock: () => ((rec.singleInstanceLock = true), true),
  quit() {},
  whenReady: () => Promise.resolve(),
  on: (event, fn) => (rec.appEvents[event] ??= []).push(fn),
  commandLine: {
    appendSwitch: (name, value) => rec.switches.push(value === undefined ? [name] : [name, value])
  }
}

/** A tiny event emitter: what the app registers, and a way for the report to fire it. */
const emitter = () => {
  const events = {}
  return {
    events,
    on: (event, fn) => (events[event] ??= []).push(fn),
    emit: (event, ...args) => (events[event] ?? []).forEach((fn) => fn(...args))
  }
}

// Each window has its own contents; the main window's (the first) events are the ones `prevented` probes.
function makeContents(win) {
  const em = emitter()
  if (rec.windowObjects.length === 0) rec.contentsEvents = em.events
  return {
    em,
    posted: [],
    setWindowOpenHandler: (fn) => rec.windowOpen ?? (rec.windowOpen = fn),
    on: em.on,
    getURL: () => win.url ?? '',
    isDestroyed: () => win.destroyed,
    postMessage(channel, message, ports = []) {
      this.posted.push({ channel, message, ports: ports.map((p) => p.id) })
    },
    send() {},
    reload() {}
  }
}

export class BrowserWindow {
  constructor(options) {
    rec.windows.push(options)
    this.destroyed = false
    this.em = emitter()
    this.webContents = makeContents(this)
    rec.windowObjects.push(this)
    for (const fn of rec.appEvents['web-contents-created'] ?? []) fn({}, this.webContents)
  }
  static getAllWindows = () => []
  once() {}
  on(event, fn) {
    this.em.on(event, fn)
  }
  isMinimized = () => false
  isMaximized = () => false
  isDestroyed() {
    return this.destroyed
  }
  destroy() {
    if (this.destroyed) return
    this.destroyed = true
    this.em.emit('closed')
  }
  getNormalBounds = () => ({ x: 0, y: 0, width: 1280, height: 820 })
  async loadURL(url) {
    this.url = url
    rec.loaded.push(url)
    if (!reported) setTimeout(report, 50)
  }
  loadFile(file) {
    rec.loaded.push(`loadFile:${file}`)
    if (!reported) setTimeout(report, 50)
  }
}

/** Ports are named by their channel: c1:1 and c1:2 are the two ends of the first channel. */
export class MessageChannelMain {
  constructor() {
    const n = ++rec.channels
    this.port1 = { id: `c${n}:1`, close() {} }
    this.port2 = { id: `c${n}:2`, close() {} }
  }
}

/** A forked job process that never runs: the report plays its part (spawn, messages, exit). */
function fakeChild(entry, options) {
  const em = emitter()
  const child = {
    entry,
    serviceName: options?.serviceName,
    pid: 4242 + rec.children.length,
    posted: [],
    on: em.on,
    once: em.on,
    emit: em.emit,
    postMessage(message, ports = []) {
      this.posted.push({ message, ports: ports.map((p) => p.id) })
    },
    kill() {}
  }
  rec.children.push(child)
  return child
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
export const utilityProcess = { fork: fakeChild }
export default {
  app,
  BrowserWindow,
  MessageChannelMain,
  ipcMain,
  protocol,
  session,
  shell,
  Menu,
  nativeTheme,
  screen,
  dialog,
  utilityProcess
}

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

/**
 * Training jobs asking for the GPU worker, as src/main/jobs/gpu-port.ts does in a utilityProcess: the jobs
 * here are imports (every job process gets the same launcher), played by fake children A and B. Records what
 * the app did: the GPU windows it opened, what they loaded, which ends of which channel went where, and what
 * happened when A's page crashed and when each job exited.
 */
async function gpuWorkerScenario(call) {
  const from = { senderFrame: { url: 'app://studio/index.html' } }
  const windowsBefore = rec.windowObjects.length
  const importA = call(from, 'datasets.import', { paths: ['/nowhere/a'] })
  await until(() => rec.children.length === 1, 'job A')
  const a = rec.children[0]
  a.emit('spawn')
  const answered = (child, n) => child.posted.filter((p) => p.message.type === 'gpu-port').length >= n
  const ask = async (child, n) => {
    child.emit('message', { type: 'gpu-port-request' })
    await until(() => answered(child, n), 'a GPU port')
    return rec.windowObjects.at(-1)
  }
  const first = await ask(a, 1)
  const blocked = (event, ...args) => {
    let stopped = false
    const e = { preventDefault: () => (stopped = true) }
    for (const fn of first.webContents.em.events[event] ?? []) fn(e, ...args)
    return stopped
  }
  const out = {
    // Every webContents is hardened: the GPU window cannot navigate away or attach a webview either.
    navigateAwayPrevented: blocked('will-navigate', 'https://evil.example/'),
    webviewPrevented: blocked('will-attach-webview', {}, {}),
    windowsBefore,
    window: rec.windows[windowsBefore] ?? null,
    loaded: first.url ?? null,
    toPage: first.webContents.posted,
    toJob: a.posted.filter((p) => p.message.type !== 'start')
  }
  const importB = call(from, 'datasets.import', { paths: ['/nowhere/b'] })
  await until(() => rec.children.length === 2, 'job B')
  const b = rec.children[1]
  b.emit('spawn')
  const ofB = await ask(b, 1)
  out.secondJob = { ownWindow: ofB !== first, toPage: ofB.webContents.posted, toJob: b.posted.at(-1).ports }
  first.webContents.em.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 })
  const gone = (child) => child.posted.filter((p) => p.message.type === 'gpu-gone').map((p) => p.message)
  out.afterCrash = { destroyed: first.destroyed, toA: gone(a), toB: gone(b), bDestroyed: ofB.destroyed }
  const again = await ask(a, 2)
  out.reopened = {
    fresh: again !== first && again !== ofB,
    toPage: again.webContents.posted,
    toJob: a.posted.filter((p) => p.message.type === 'gpu-port').map((p) => p.ports)
  }
  a.emit('exit', 0)
  out.whenAExited = { aDestroyed: again.destroyed, bDestroyed: ofB.destroyed }
  b.emit('exit', 0)
  out.whenBExited = { bDestroyed: ofB.destroyed }
  out.importResults = [await importA, await importB]
  return out
}

async function report() {
  if (reported) return
  reported = true
  const permission = await new Promise(
    (resolve) => rec.permissionRequest?.(null, 'media', resolve) ?? resolve(null)
  )
  const call = rec.ipc['aestudio:call']
  const out = {
    singleInstanceLock: rec.singleInstanceLock,
    window: rec.windows[0] ?? null,
    loaded: [...rec.loaded],
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
    gpuPage: await fetchApp('/gpu-worker.html'),
    menu: rec.menu,
    switches: rec.switches,
    gpuWorker: call ? await gpuWorkerScenario(call) : null
  }
  process.stdout.write(JSON.stringify(out) + '\n')
  process.exit(0)
}
