// eslint-disable-next-line no-restricted-imports -- the one job file that is Electron's (never loaded by Node)
import { utilityProcess } from 'electron'
import type { FromJob, ToJob } from './protocol'
import type { JobLauncher } from './host'

/**
 * Job processes in the desktop app: Electron's utilityProcess (a Node child the app supervises; it does not
 * block the main process's event loop and its crash does not take the app down). `entry` is out/main/jobs.js.
 * `env` passes what the job needs to open the store, e.g. the Electron build of better-sqlite3.
 */
export function electronLauncher(entry: string, env: NodeJS.ProcessEnv = {}): JobLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [], {
      serviceName: 'Autoencoder Studio job',
      stdio: 'inherit',
      env: { ...process.env, ...env }
    })
    // Messages sent before the process is up are held, then delivered in order.
    let queue: ToJob[] | null = []
    child.once('spawn', () => {
      for (const msg of queue ?? []) child.postMessage(msg)
      queue = null
    })
    return {
      get pid() {
        return child.pid
      },
      send: (msg) => (queue ? queue.push(msg) : child.postMessage(msg)),
      onMessage: (fn) => void child.on('message', (msg) => fn(msg as FromJob)),
      // utilityProcess reports only an exit code; a crash (segfault, OOM kill) shows up as a non-zero code.
      onExit: (fn) => void child.once('exit', (code) => fn(code, null)),
      kill: () => void child.kill()
    }
  }
}
