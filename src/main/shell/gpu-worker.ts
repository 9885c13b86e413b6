import { BrowserWindow, MessageChannelMain, type MessagePortMain } from 'electron'
import { GPU_PORT_MESSAGE } from '../../engine/gpu/protocol'
import type { GpuPortProvider } from '../jobs/launcher-electron'
import { APP_ORIGIN, secureWebPreferences } from './policy'

/** The GPU worker page, served like the UI from the app's own scheme (same CSP, a secure context). */
export const GPU_WORKER_URL = `${APP_ORIGIN}/gpu-worker.html`

/**
 * The hidden GPU worker window: the security checklist every window has, never shown, and never throttled
 * (a hidden page's timers and tasks are slowed down by default, and training would crawl).
 */
export function gpuWorkerWindowOptions(preload: string) {
  return {
    show: false,
    width: 320,
    height: 240,
    skipTaskbar: true,
    title: 'Autoencoder Studio GPU worker',
    webPreferences: { ...secureWebPreferences(preload), backgroundThrottling: false }
  }
}

/**
 * Chromium switches the GPU worker needs, per system. On Linux WebGPU is still off by default in Chromium, and
 * it needs Chromium's Vulkan path ("WebGPU on Linux requires ... --enable-features=Vulkan"): with
 * `enable-unsafe-webgpu` alone, requestAdapter() answers null in Electron on Linux (electron/electron#41763)
 * and training falls back to the CPU. `enable-unsafe-webgpu` lifts the WebGPU blocklist; the app's pages are
 * only its own (app://, script-src 'self'), never remote content. macOS (Metal) and Windows (Direct3D 12)
 * have WebGPU on by default.
 */
export function gpuSwitches(platform: string): [string, string?][] {
  if (platform === 'linux') return [['enable-unsafe-webgpu'], ['enable-features', 'Vulkan']]
  return []
}

interface Worker {
  win: BrowserWindow
  loading: Promise<BrowserWindow>
}

/**
 * The GPU worker windows of the job processes that train on WebGPU: one per job, opened on its first request
 * and destroyed when the job exits. A page cannot tell that the job at the other end of its port has died
 * (Chromium fires no `close` on a MessagePort whose other end goes away), so tying the window to the job is
 * what guarantees a killed job never leaves work or memory on the GPU; it also keeps one run's crashed page
 * from taking another run with it. If a page crashes or its window closes, its job is told why; its next
 * request opens a fresh window.
 */
export class GpuWorkerWindows implements GpuPortProvider {
  private readonly workers = new Map<object, Worker>()

  constructor(
    private readonly preload: string,
    private readonly url: string = GPU_WORKER_URL
  ) {}

  /** A fresh port to the holder's page, its other end given to the page; `onGone` hears if the page goes. */
  async connect(holder: object, onGone: (reason: string) => void): Promise<MessagePortMain> {
    const win = await (this.workers.get(holder) ?? this.open(holder, onGone)).loading
    const { port1, port2 } = new MessageChannelMain()
    win.webContents.postMessage(GPU_PORT_MESSAGE, null, [port1])
    return port2
  }

  /** The holder (a job process) has exited: its window goes with it. */
  release(holder: object): void {
    const worker = this.workers.get(holder)
    this.workers.delete(holder)
    if (worker && !worker.win.isDestroyed()) worker.win.destroy()
  }

  private open(holder: object, onGone: (reason: string) => void): Worker {
    const win = new BrowserWindow(gpuWorkerWindowOptions(this.preload))
    const gone = (reason: string) => {
      if (this.workers.get(holder)?.win !== win) return
      this.workers.delete(holder)
      onGone(reason)
      if (!win.isDestroyed()) win.destroy()
    }
    win.webContents.on('render-process-gone', (_e, details) =>
      gone(`the GPU worker window crashed (${details.reason}, exit code ${details.exitCode})`)
    )
    win.on('closed', () => gone('the GPU worker window was closed'))
    const loading = win.loadURL(this.url).then(
      () => win,
      (err: unknown) => {
        const why = `the GPU worker page did not load: ${err instanceof Error ? err.message : String(err)}`
        gone(why)
        throw new Error(why)
      }
    )
    const worker = { win, loading }
    this.workers.set(holder, worker)
    return worker
  }
}
