// eslint-disable-next-line no-restricted-imports -- the one job file that is Electron's (never loaded by Node)
import { utilityProcess, type MessagePortMain } from 'electron'
import type { FromJob, ToJob } from './protocol'
import type { JobLauncher } from './host'

/** Where a job's GPU worker ports come from: the app's hidden GPU window (shell/gpu-worker.ts). */
export interface GpuPortProvider {
  /** A port to the GPU worker page; `onGone` hears, in plain words, if the page goes away while held. */
  connect(holder: object, onGone: (reason: string) => void): Promise<MessagePortMain>
  /** The holder's process has exited. */
  release(holder: object): void
}

/**
 * Job processes in the desktop app: Electron's utilityProcess (a Node child the app supervises; it does not
 * block the main process's event loop and its crash does not take the app down). `entry` is out/main/jobs.js.
 * `env` passes what the job needs to open the store, e.g. the Electron build of better-sqlite3. A job that
 * asks for a GPU worker port (a training run on webgpu) gets one from `gpu`, and hears if its page goes away.
 */
export function electronLauncher(
  entry: string,
  env: NodeJS.ProcessEnv = {},
  gpu?: GpuPortProvider
): JobLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [], {
      serviceName: 'Autoencoder Studio job',
      stdio: 'inherit',
      env: { ...process.env, ...env }
    })
    let exited = false
    // A message to a child that has just exited is dropped: its exit handler reports how it ended.
    const post = (msg: ToJob, ports?: MessagePortMain[]) => {
      if (!exited) child.postMessage(msg, ports)
    }
    // Messages sent before the process is up are held, then delivered in order.
    let queue: ToJob[] | null = []
    child.once('spawn', () => {
      for (const msg of queue ?? []) child.postMessage(msg)
      queue = null
    })
    child.on('message', (msg: FromJob) => {
      if (msg?.type !== 'gpu-port-request') return
      if (!gpu) return post({ type: 'gpu-port-refused', message: 'this app has no GPU worker window' })
      gpu
        .connect(child, (reason) => post({ type: 'gpu-gone', reason }))
        .then(
          (port) => (exited ? port.close() : post({ type: 'gpu-port' }, [port])),
          (err: unknown) =>
            post({ type: 'gpu-port-refused', message: err instanceof Error ? err.message : String(err) })
        )
    })
    child.once('exit', () => {
      exited = true
      gpu?.release(child)
    })
    return {
      get pid() {
        return child.pid
      },
      send: (msg) => (queue ? queue.push(msg) : post(msg)),
      onMessage: (fn) =>
        void child.on('message', (msg: FromJob) => msg?.type !== 'gpu-port-request' && fn(msg)),
      // utilityProcess reports only an exit code; a crash (segfault, OOM kill) shows up as a non-zero code.
      onExit: (fn) => void child.once('exit', (code) => fn(code, null)),
      kill: () => void child.kill()
    }
  }
}
