import type { GpuAdapterInfo } from '../../shared/contract/app'
import type { JobAction } from '../../shared/control'
import type { BatchReport } from '../loop'
import type { EpochOutput, SessionOutcome, SessionStart } from '../session'

/**
 * Messages between a training host (the app's training job) and the GPU worker page, over one MessagePort per
 * run. The page gets its port in a window `message` event whose data is GPU_PORT_MESSAGE, as the GPU worker's
 * preload forwards it from Electron main. One port carries one session: init, start, then the run's messages
 * until it ends (done, failed or lost); then both sides close it.
 */
export const GPU_PORT_MESSAGE = 'gpu-port'

/** What the page can train on: Chromium's WebGPU, or WebGL where WebGPU is off. */
export type PageBackendName = 'webgpu' | 'webgl'

export interface BackendRequest {
  /** Tried in this order; the first that starts is used. */
  backends: PageBackendName[]
  /** Whether a software adapter (SwiftShader, llvmpipe) may be used; only tests allow it. */
  allowSoftware: boolean
}

export type ToGpuWorker =
  | { type: 'init'; request: BackendRequest }
  /** The pixels in `start.data` arrive as a structured clone (across processes there is nothing to share). */
  | { type: 'start'; start: SessionStart }
  /** The host has kept epoch `epoch` (checkpoint written): the page may train the next one. */
  | { type: 'kept'; epoch: number }
  | { type: 'control'; action: JobAction }

export type FromGpuWorker =
  /** The backend is up. `notes` go with the run's backend notes ("webgpu: nvidia ampere: ...", and why
   * backends asked for first were passed over). */
  | { type: 'ready'; backend: PageBackendName; adapter: GpuAdapterInfo | null; notes: string[] }
  /** No backend asked for could start here, in plain words (no adapter, only a software one, ...). */
  | { type: 'unavailable'; message: string }
  | { type: 'batch'; report: BatchReport }
  | { type: 'paused'; paused: boolean }
  /** Its checkpoint bytes and preview pixels are transferred, not copied; the host answers with `kept`. */
  | { type: 'epoch'; output: EpochOutput }
  | { type: 'done'; outcome: SessionOutcome }
  /** The session threw; `nonFinite` carries a NonFiniteLossError's fields so the host can rebuild it. */
  | {
      type: 'failed'
      message: string
      nonFinite?: { epoch: number; batch: number | null; value: number }
    }
  /** The GPU went away under the run (device lost, an uncaught error in the page): nothing more will come. */
  | { type: 'lost'; reason: string }

/**
 * One end of the session's port, whatever kind of port it is (a page's MessagePort, Electron's MessagePortMain,
 * a worker_threads port in tests). `onClose` fires once when the other end is gone, with a reason if known.
 */
export interface GpuChannel<In, Out> {
  send(msg: Out, transfer?: Transferable[]): void
  onMessage(fn: (msg: In) => void): void
  onClose(fn: (reason?: string) => void): void
  close(): void
}

/** The structural part of a web MessagePort (and of Node's worker_threads MessagePort) we use. */
export interface WebMessagePort {
  postMessage(message: unknown, transfer: Transferable[]): void
  addEventListener(type: 'message', fn: (e: { data: unknown }) => void): void
  addEventListener(type: 'close', fn: () => void): void
  start(): void
  close(): void
}

/** What a channel needs of one kind of port; `portChannel` adds what every kind shares. */
export interface PortOps {
  post(message: unknown, transfer: Transferable[]): void
  onMessage(fn: (data: unknown) => void): void
  onClose(fn: () => void): void
  start(): void
  close(): void
}

/**
 * A channel over any kind of port. Closing it from this side counts as closed too, so whoever waits on the
 * session learns of it at once; `gone` closes it with a reason of the caller's (the app's word for a crashed
 * page). The reason goes out first: closing the port may report its own (reasonless) close at once.
 */
export function portChannel<In, Out>(port: PortOps): GpuChannel<In, Out> & { gone(reason: string): void } {
  const closers: ((reason?: string) => void)[] = []
  let closed = false
  const closeOnce = (reason?: string) => {
    if (closed) return
    closed = true
    for (const fn of closers) fn(reason)
  }
  port.onClose(() => closeOnce())
  const gone = (reason: string) => {
    closeOnce(reason)
    port.close()
  }
  return {
    send: (msg, transfer = []) => {
      if (!closed) port.post(msg, transfer)
    },
    onMessage: (fn) => {
      port.onMessage((data) => fn(data as In))
      port.start()
    },
    onClose: (fn) => void closers.push(fn),
    close: () => gone('this side closed the port'),
    gone
  }
}

/** A channel over a web-style MessagePort. */
export function webPortChannel<In, Out>(port: WebMessagePort): GpuChannel<In, Out> {
  return portChannel({
    post: (msg, transfer) => port.postMessage(msg, transfer),
    onMessage: (fn) => port.addEventListener('message', (e) => fn(e.data)),
    onClose: (fn) => port.addEventListener('close', fn),
    start: () => port.start(),
    close: () => port.close()
  })
}

/** The buffers under some typed arrays, each once (a buffer listed twice makes postMessage throw). */
export function buffersOf(arrays: ArrayBufferView[]): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>()
  for (const a of arrays) if (a.buffer instanceof ArrayBuffer && a.buffer.byteLength > 0) seen.add(a.buffer)
  return [...seen]
}
