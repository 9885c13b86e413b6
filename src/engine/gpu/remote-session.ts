import type { GpuAdapterInfo } from '../../shared/contract/app'
import type { JobAction } from '../../shared/control'
import { decodeCheckpoint } from '../checkpoint'
import { NonFiniteLossError } from '../loop'
import type { EpochOutput, SessionHooks, SessionOutcome, SessionStart } from '../session'
import type { BackendRequest, FromGpuWorker, GpuChannel, PageBackendName, ToGpuWorker } from './protocol'

/** The GPU went away under a run: the device was lost, the worker page crashed or closed, its port closed. */
export class GpuLostError extends Error {
  constructor(readonly reason: string) {
    super(`The GPU stopped working mid-run: ${reason}.`)
    this.name = 'GpuLostError'
  }
}

/** The GPU worker could not start a backend asked for, or did not answer: another backend may be used. */
export class GpuUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'GpuUnavailableError'
  }
}

export type HostChannel = GpuChannel<FromGpuWorker, ToGpuWorker>

/** A backend running in the GPU worker, ready for one session. */
export interface RemoteGpu {
  backend: PageBackendName
  adapter: GpuAdapterInfo | null
  notes: string[]
  /** runSession, run in the worker: the same start and hooks, the same outcome. Once per connection. */
  runSession(start: SessionStart, hooks: SessionHooks): Promise<SessionOutcome>
  /** Ends the connection (the worker stops the session at its next batch). */
  close(): void
}

export interface ConnectOptions {
  /** How long the worker may take to start its backend. */
  timeoutMs?: number
  /** How often the host's JobControl is looked at for pause/resume/stop to forward. */
  controlPollMs?: number
}

type Incoming = FromGpuWorker | { type: 'closed'; reason?: string }

/** The channel's messages one at a time, in order, a close included. */
function inbox(channel: HostChannel) {
  const queue: Incoming[] = []
  let wake: (() => void) | null = null
  const push = (msg: Incoming) => {
    queue.push(msg)
    wake?.()
    wake = null
  }
  channel.onMessage(push)
  channel.onClose((reason) => push({ type: 'closed', reason }))
  return async (): Promise<Incoming> => {
    while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve))
    return queue.shift()!
  }
}

const closedReason = (reason?: string) =>
  reason ? reason : 'the GPU worker window closed before the run finished'

/** The epoch's output as the engine makes it: checkpoint bytes of that epoch, preview images. */
function checkEpoch(output: EpochOutput, previous: number | null): void {
  const epoch = output?.report?.epoch
  if (!(output?.checkpoint instanceof Uint8Array) || !Array.isArray(output.preview))
    throw new Error('The GPU worker sent an epoch without its checkpoint or preview.')
  if (previous !== null && epoch !== previous + 1)
    throw new Error(`The GPU worker sent epoch ${epoch} after epoch ${previous}.`)
  const saved = decodeCheckpoint(output.checkpoint, `the GPU worker's checkpoint of epoch ${epoch}`)
  if (saved.epoch !== epoch)
    throw new Error(`The GPU worker's checkpoint is of epoch ${saved.epoch}, its report of epoch ${epoch}.`)
}

/**
 * Asks the GPU worker on `channel` to start a backend (the first of `request.backends` that can run there).
 * Resolves once it is up; throws GpuUnavailableError when none can, or the worker does not answer in time.
 */
export async function connectGpuWorker(
  channel: HostChannel,
  request: BackendRequest,
  options: ConnectOptions = {}
): Promise<RemoteGpu> {
  const next = inbox(channel)
  const timeoutMs = options.timeoutMs ?? 60_000
  channel.send({ type: 'init', request })
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)))
  const first = await Promise.race([next(), late]).finally(() => clearTimeout(timer))
  if (first === 'late' || first.type !== 'ready') {
    channel.close()
    if (first === 'late')
      throw new GpuUnavailableError(`the GPU worker did not start a backend within ${timeoutMs / 1000} s`)
    if (first.type === 'unavailable') throw new GpuUnavailableError(first.message)
    if (first.type === 'lost') throw new GpuUnavailableError(first.reason)
    if (first.type === 'closed') throw new GpuUnavailableError(closedReason(first.reason))
    throw new GpuUnavailableError(`the GPU worker answered "${first.type}" instead of starting`)
  }
  let used = false
  return {
    backend: first.backend,
    adapter: first.adapter,
    notes: first.notes,
    close: () => channel.close(),
    async runSession(start, hooks) {
      if (used) throw new Error('A GPU worker connection runs one session.')
      used = true
      channel.send({ type: 'start', start })
      // JobControl has no events: its state is looked at often and changes are sent on.
      let sent: JobAction = 'resume'
      const forward = () => {
        const c = hooks.control
        if (!c || sent === 'stop') return
        const want: JobAction = c.stopped ? 'stop' : c.isPaused ? 'pause' : 'resume'
        if (want !== sent) channel.send({ type: 'control', action: (sent = want) })
      }
      forward()
      const poll = setInterval(forward, options.controlPollMs ?? 50)
      let previous: number | null = null
      try {
        for (;;) {
          const msg = await next()
          forward()
          switch (msg.type) {
            case 'batch':
              hooks.onBatch?.(msg.report)
              break
            case 'paused':
              hooks.onPause?.(msg.paused)
              break
            case 'epoch':
              checkEpoch(msg.output, previous)
              previous = msg.output.report.epoch
              await hooks.onEpoch(msg.output)
              // A stop or pause the host asked for while keeping the epoch reaches the page before the next
              // epoch starts, as it would reach runSession here.
              forward()
              channel.send({ type: 'kept', epoch: previous })
              break
            case 'done':
              return msg.outcome
            case 'failed':
              if (msg.nonFinite) {
                const { epoch, batch, value } = msg.nonFinite
                throw new NonFiniteLossError(epoch, batch, value)
              }
              throw new Error(msg.message)
            case 'lost':
              throw new GpuLostError(msg.reason)
            case 'closed':
              throw new GpuLostError(closedReason(msg.reason))
            default:
              throw new Error(`The GPU worker sent "${msg.type}" during a run.`)
          }
        }
      } finally {
        clearInterval(poll)
        channel.close()
      }
    }
  }
}
