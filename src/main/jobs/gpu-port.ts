import type { HostChannel } from '../../engine/gpu/remote-session'
import { portChannel, type FromGpuWorker, type ToGpuWorker } from '../../engine/gpu/protocol'
import type { GpuWorkerConnector } from '../services/training-engine'
import type { FromJob, ToJob } from './protocol'

/** Electron's MessagePortMain, as far as we use it (structural: job files never import electron). */
export interface MainPort {
  on(event: 'message', fn: (e: { data: unknown }) => void): void
  on(event: 'close', fn: () => void): void
  postMessage(message: unknown): void
  start(): void
  close(): void
}

export interface ParentPort {
  on(event: 'message', fn: (e: { data: unknown; ports: MainPort[] }) => void): void
  postMessage(msg: FromJob): void
}

/**
 * A channel over a MessagePortMain. Its transfer lists are dropped: between processes every message is copied
 * anyway, and MessagePortMain transfers only ports. `gone` closes it with the app's reason (a crashed page).
 */
function mainPortChannel(port: MainPort): HostChannel & { gone(reason: string): void } {
  return portChannel<FromGpuWorker, ToGpuWorker>({
    post: (msg) => port.postMessage(msg),
    onMessage: (fn) => port.on('message', (e) => fn(e.data)),
    onClose: (fn) => port.on('close', fn),
    start: () => port.start(),
    close: () => port.close()
  })
}

/**
 * Inside the app's job process (Electron's utilityProcess), how a training run reaches the GPU worker page:
 * it asks the app over the job's parent port, and the app answers with a MessagePort to the page. Undefined
 * under plain Node (CLI, web mode), where webgpu runs in this process on dawn.node.
 */
export function electronGpuWorker({
  parent = (process as unknown as { parentPort?: ParentPort }).parentPort,
  electron = process.versions.electron,
  timeoutMs = 60_000
}: { parent?: ParentPort; electron?: string; timeoutMs?: number } = {}): GpuWorkerConnector | undefined {
  if (!electron || !parent) return undefined
  const open = new Set<ReturnType<typeof mainPortChannel>>()
  let waiting: { resolve(port: MainPort): void; reject(err: Error): void } | null = null
  parent.on('message', (e) => {
    const msg = e.data as ToJob
    if (msg?.type === 'gpu-port' && e.ports[0]) waiting?.resolve(e.ports[0])
    else if (msg?.type === 'gpu-port-refused') waiting?.reject(new Error(msg.message))
    else if (msg?.type === 'gpu-gone') for (const channel of open) channel.gone(msg.reason)
    if (msg?.type === 'gpu-port' || msg?.type === 'gpu-port-refused') waiting = null
  })
  return async () => {
    if (waiting) throw new Error('A GPU worker port is already being asked for.')
    let timer: ReturnType<typeof setTimeout> | undefined
    const port = await new Promise<MainPort>((resolve, reject) => {
      waiting = { resolve, reject }
      timer = setTimeout(() => {
        waiting = null
        reject(new Error(`the app did not open its GPU worker window within ${timeoutMs / 1000} s`))
      }, timeoutMs)
      parent.postMessage({ type: 'gpu-port-request' })
    }).finally(() => clearTimeout(timer))
    const channel = mainPortChannel(port)
    open.add(channel)
    channel.onClose(() => open.delete(channel))
    return channel
  }
}
