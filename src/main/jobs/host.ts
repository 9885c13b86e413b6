import { fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { JobAction } from '../../shared/control'
import { isErrorCode, relayEvent, type Emit } from '../../shared/contract/index'
import { StudioError } from '../../shared/errors'
import type { FromJob, JobKind, ToJob } from './protocol'

/** The parent's view of a job process, whatever started it. */
export interface JobProcess {
  readonly pid: number | undefined
  send(msg: ToJob): void
  onMessage(fn: (msg: FromJob) => void): void
  onExit(fn: (code: number | null, signal: string | null) => void): void
  kill(): void
}

/** Starts a job process. Electron main passes one built on utilityProcess; Node uses `forkLauncher`. */
export type JobLauncher = () => JobProcess

const here = dirname(fileURLToPath(import.meta.url))

/** child_process.fork of the job entry: the built file when running from out/, else the source through tsx. */
export const forkLauncher: JobLauncher = () => {
  // Beside the bundle that imported us, or one level up when that code was split into out/main/chunks/.
  const built = [join(here, 'jobs.js'), join(here, '..', 'jobs.js')].find((f) => existsSync(f))
  const child = built
    ? fork(built, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    : fork(join(here, 'entry.ts'), [], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc']
      })
  return {
    pid: child.pid,
    // A control message can race the child's death; its exit handler reports that, so a failed send is dropped
    // rather than left to surface as an unhandled 'Channel closed' error that would take the owner down.
    send: (msg) => {
      if (child.connected) child.send(msg, () => {})
    },
    onMessage: (fn) => void child.on('message', (m) => fn(m as FromJob)),
    onExit: (fn) => {
      child.on('exit', fn)
      // A process that could not start at all emits 'error' without 'exit'.
      child.on('error', () => child.exitCode === null && child.pid === undefined && fn(null, null))
    },
    kill: () => void child.kill('SIGKILL')
  }
}

let defaultLauncher: JobLauncher = forkLauncher

/** The desktop app swaps in its utilityProcess launcher at startup; Node (CLI, web mode, tests) keeps fork. */
export function setDefaultJobLauncher(launcher: JobLauncher): void {
  defaultLauncher = launcher
}

export interface JobHandle {
  readonly pid: number | undefined
  control(action: JobAction): void
  kill(): void
  /** Settles when the job ends: its result, or an error if it failed or its process died. */
  readonly result: Promise<unknown>
}

export class JobCrashedError extends Error {
  constructor(code: number | null, signal: string | null) {
    super(`The job process stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}).`)
    this.name = 'JobCrashedError'
  }
}

/** Runs jobs in their own processes so the owner's event loop never does heavy work. */
export class JobHost {
  private readonly live = new Set<JobProcess>()

  constructor(
    private readonly home: string,
    private readonly launcher?: JobLauncher
  ) {}

  private launch(): JobProcess {
    return (this.launcher ?? defaultLauncher)()
  }

  /** Starts a job; its events go to `emit` as they come. */
  start(kind: JobKind, params: unknown, emit: Emit): JobHandle {
    const proc = this.launch()
    this.live.add(proc)
    let settled = false
    const result = new Promise<unknown>((resolve, reject) => {
      proc.onMessage((msg) => {
        if (msg.type === 'event') relayEvent(emit, msg)
        else if (msg.type === 'done') {
          settled = true
          resolve(msg.result)
        } else if (msg.type === 'failed') {
          settled = true
          // The job's error code ('cancelled', 'not_found', ...) survives the process boundary.
          const { code, message } = msg.error
          reject(
            isErrorCode(code) ? new StudioError(code, message) : Object.assign(new Error(message), { code })
          )
        }
      })
      proc.onExit((code, signal) => {
        this.live.delete(proc)
        if (!settled) reject(new JobCrashedError(code, signal))
      })
    })
    proc.send({ type: 'start', kind, home: this.home, params })
    return {
      // Read late: a utilityProcess has no pid until it has spawned.
      get pid() {
        return proc.pid
      },
      control: (action) => proc.send({ type: 'control', action }),
      kill: () => proc.kill(),
      result
    }
  }

  /** Kills every job still running (the app quitting): their runs are marked interrupted by their owners. */
  killAll(): void {
    for (const proc of this.live) proc.kill()
  }

  /** Jobs whose processes have not exited yet. */
  get running(): number {
    return this.live.size
  }
}
