import type { GpuAdapterInfo } from '../../shared/contract/app'
import { JobControl } from '../../shared/control'
import { NonFiniteLossError } from '../loop'
import { runSession, type SessionStart } from '../session'
import {
  buffersOf,
  type BackendRequest,
  type FromGpuWorker,
  type GpuChannel,
  type PageBackendName,
  type ToGpuWorker
} from './protocol'

/** A backend the page started for a session (and may share with the page's other sessions). */
export interface PageBackend {
  name: PageBackendName
  adapter: GpuAdapterInfo | null
  /** For the run's notes: what it runs on, and why backends asked for first were passed over. */
  notes: string[]
  /** Settles with a plain-words reason when the GPU goes away under it (device lost, context lost). */
  lost: Promise<string>
}

export interface WorkerSessionOptions {
  /** Starts (or reuses) a backend as asked; throws, in plain words, when none of them can run here. */
  startBackend(request: BackendRequest): Promise<PageBackend>
  residentBytes(): number
  /**
   * How long a failed session waits for its device's `lost` before reporting a plain failure: a dying device
   * fails the operation in flight a moment before its lost promise settles.
   */
  lostGraceMs?: number
}

export interface ServedSession {
  /** Ends the session with `lost` (an uncaught error in the page, say); a no-op once it has ended. */
  lose(reason: string): void
  /** Settles when the session has ended, however. */
  readonly ended: Promise<void>
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

/**
 * The GPU worker's side of one session: starts the backend asked for, runs the engine's runSession on it with
 * the host's data, and sends every batch, pause and epoch back (each epoch's checkpoint bytes and preview
 * pixels transferred), waiting for the host to keep an epoch before training the next, as runSession's own
 * hosts do. Pause/resume/stop come from the host; a closed port stops the run at the next batch.
 */
export function serveGpuSession(
  channel: GpuChannel<ToGpuWorker, FromGpuWorker>,
  options: WorkerSessionOptions
): ServedSession {
  const control = new JobControl()
  let backend: PageBackend | undefined
  let phase: 'new' | 'starting' | 'ready' | 'training' | 'ended' = 'new'
  let kept: { epoch: number; resolve(): void } | null = null
  let settle!: () => void
  const ended = new Promise<void>((resolve) => (settle = resolve))

  const finish = () => {
    phase = 'ended'
    control.apply('stop')
    kept?.resolve()
    kept = null
    settle()
  }
  const end = (msg: FromGpuWorker) => {
    if (phase === 'ended') return
    channel.send(msg)
    finish()
    channel.close()
  }
  const lose = (reason: string) => end({ type: 'lost', reason })
  // The host went away: stop training at the next batch, nobody is left to tell.
  channel.onClose(() => phase !== 'ended' && finish())

  const train = async (start: SessionStart, gpu: PageBackend) => {
    try {
      const outcome = await runSession(start, {
        control,
        residentBytes: options.residentBytes,
        onBatch: (report) => channel.send({ type: 'batch', report }),
        onPause: (paused) => channel.send({ type: 'paused', paused }),
        onEpoch: async (output) => {
          const pixels = output.preview.flatMap((row) => row.map((image) => image.data))
          channel.send({ type: 'epoch', output }, buffersOf([output.checkpoint, ...pixels]))
          if (phase !== 'ended')
            await new Promise<void>((resolve) => (kept = { epoch: output.report.epoch, resolve }))
        }
      })
      end({ type: 'done', outcome })
    } catch (err) {
      const grace = new Promise<null>((resolve) =>
        setTimeout(() => resolve(null), options.lostGraceMs ?? 500)
      )
      const reason = await Promise.race([gpu.lost, grace])
      if (reason !== null) return lose(reason)
      end(
        err instanceof NonFiniteLossError
          ? {
              type: 'failed',
              message: err.message,
              nonFinite: { epoch: err.epoch, batch: err.batch, value: err.value }
            }
          : { type: 'failed', message: message(err) }
      )
    }
  }

  channel.onMessage((msg) => {
    if (phase === 'ended') return
    if (msg.type === 'init' && phase === 'new') {
      phase = 'starting'
      options.startBackend(msg.request).then(
        (gpu) => {
          if (phase === 'ended') return
          backend = gpu
          phase = 'ready'
          void gpu.lost.then(lose)
          channel.send({ type: 'ready', backend: gpu.name, adapter: gpu.adapter, notes: gpu.notes })
        },
        (err: unknown) => end({ type: 'unavailable', message: message(err) })
      )
    } else if (msg.type === 'start' && phase === 'ready' && backend) {
      phase = 'training'
      void train(msg.start, backend)
    } else if (msg.type === 'kept') {
      if (kept?.epoch === msg.epoch) {
        kept.resolve()
        kept = null
      }
    } else if (msg.type === 'control') control.apply(msg.action)
    else end({ type: 'failed', message: `The GPU worker got "${msg.type}" out of turn (while ${phase}).` })
  })
  return { lose, ended }
}
