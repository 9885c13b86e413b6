import { mkdirSync, writeFileSync } from 'node:fs'
import type { JobControl } from '../../shared/control'
import type { RunStatus } from '../../shared/contract/domain'
import type { Emit } from '../../shared/contract/index'
import { notFound, StudioError } from '../../shared/errors'
import { GpuLostError } from '../../engine/gpu/remote-session'
import { NonFiniteLossError } from '../../engine/loop'
import type { EpochOutput, SessionHooks } from '../../engine/session'
import { writeFileAtomic } from '../util/atomic-write'
import { sha256 } from '../util/hash'
import { loadTrainingData } from './datasets'
import { pruneCheckpoints, readCheckpointBytes, runFiles } from './run-files'
import type { Studio } from './studio'
import { startEngine, type GpuWorkerConnector } from './training-engine'
import { getSettings } from './settings'
import { startTrainingReplicas } from '../backends/replicas'
import { previewPng } from './training-preview'
import { join } from 'node:path'

export interface TrainParams {
  runId: number
  /** Continue from the run's last checkpoint (a new run, or one without a checkpoint, starts from scratch). */
  resume?: boolean
  /** Threads for the wasm backend (`--threads`); else the Settings value, else every core. */
  threads?: number
}

export interface TrainResult {
  runId: number
  /** `interrupted`: the GPU went away mid-run (see GpuLostError); the last checkpoint is kept. */
  status: Extract<RunStatus, 'done' | 'stopped' | 'interrupted'>
  epochsDone: number
}

/**
 * `buildModel`: tests swap in a model that misbehaves on purpose (this process only; the GPU worker builds
 * the real one). `gpuWorker`: inside the app, how webgpu reaches the GPU worker page (see startEngine).
 */
export type TrainDeps = Pick<SessionHooks, 'buildModel'> & { gpuWorker?: GpuWorkerConnector }

/**
 * Trains one run to its configured epochs: loads the dataset, picks the backend, builds (or restores) the model,
 * and after every epoch writes the `last` checkpoint (and `best`, by validation loss), the metrics and a preview
 * grid. The run row follows along (running, paused, done, stopped, failed). Runs in a job process in the app and
 * in this process for the CLI; `jobs/train-job.ts` is its process adapter.
 */
export async function runTraining(
  studio: Studio,
  params: TrainParams,
  ctx: { control: JobControl; emit: Emit },
  deps: TrainDeps = {}
): Promise<TrainResult> {
  const { store } = studio
  const { runId } = params
  const run = store.runs.get(runId)
  if (!run) throw notFound(`Run ${runId}`)
  const config = run.config
  const files = runFiles(studio, runId)
  const status = (s: RunStatus, error: string | null = null) => {
    const epochsDone = store.runs.get(runId)?.epochsDone ?? 0
    ctx.emit('training.status', { runId, status: s, epochsDone, error })
  }
  let lastGood = 0
  try {
    if (run.datasetId === null)
      throw new StudioError('failed', `The dataset of run ${runId} was deleted, so it cannot be trained.`)
    const data = await loadTrainingData(studio, run.datasetId)
    if (data.size !== config.size || data.channels !== config.channels)
      throw new StudioError(
        'validation',
        `Run ${runId} expects ${config.size}×${config.size}×${config.channels} images but its dataset holds ` +
          `${data.size}×${data.size}×${data.channels}.`
      )
    const saved = params.resume ? store.artifacts.checkpoint(runId, 'last') : undefined
    const resume = saved && readCheckpointBytes(join(studio.paths.home, saved.file), saved.sha256)
    lastGood = saved?.epoch ?? 0
    mkdirSync(join(files.dir, 'previews'), { recursive: true })
    mkdirSync(files.checkpoints, { recursive: true })
    // Threads belong to the wasm backend's start here, not to the run's config: this run's --threads, else Settings.
    const threads = params.threads ?? (getSettings(studio).threads || undefined)
    const engine = await startEngine(config.backend, deps.gpuWorker, {}, { threads })
    store.runs.markStarted(runId, engine.name, engine.notes, process.pid)
    status('running')

    const previewSource =
      data.valCount > 0
        ? { pixels: data.val, count: data.valCount, size: data.size, channels: data.channels }
        : { pixels: data.train, count: data.trainCount, size: data.size, channels: data.channels }
    /** What every epoch leaves: its checkpoint, the store's record of it, a preview, and the events. */
    const keepEpoch = async ({ report, checkpoint, best, preview }: EpochOutput) => {
      // A new file per epoch, and the store switched to it in one transaction: whenever the process dies,
      // `last` and `best` name complete files whose hashes match. Files neither names any more go afterwards.
      const file = files.checkpoint(report.epoch)
      writeFileAtomic(file, checkpoint)
      const digest = sha256(checkpoint)
      store.db.transaction(() => {
        for (const kind of best ? (['last', 'best'] as const) : (['last'] as const))
          store.artifacts.setCheckpoint(runId, kind, report.epoch, files.rel(file), digest)
        store.runs.recordEpoch(runId, report)
      })()
      pruneCheckpoints(studio, runId)
      lastGood = report.epoch
      const previewFile = files.preview(report.epoch)
      writeFileSync(previewFile, await previewPng(preview))
      store.artifacts.addPreview(runId, report.epoch, files.rel(previewFile))
      ctx.emit('training.preview', { runId, epoch: report.epoch, file: files.rel(previewFile) })
      ctx.emit('training.epoch', { runId, ...report })
    }
    const outcome = await engine.run(
      { config, data, resume, previewSource },
      {
        control: ctx.control,
        residentBytes: () => process.memoryUsage().rss,
        onBatch: (b) => ctx.emit('training.batch', { runId, ...b }),
        onPause: (paused) => {
          store.runs.setStatus(runId, paused ? 'paused' : 'running')
          status(paused ? 'paused' : 'running')
        },
        onEpoch: keepEpoch,
        buildModel: deps.buildModel,
        // wasm trains on every core as data-parallel replicas. They rebuild the model from its config, so a
        // test's stand-in model trains alone. Replicas that cannot start leave one thread and say so.
        gradientsFor:
          engine.local?.replicas && !deps.buildModel
            ? async (model) => {
                const replicas = await startTrainingReplicas(model, engine.local!)
                store.runs.markStarted(runId, engine.name, engine.notes, process.pid)
                return replicas
              }
            : undefined
      }
    )
    store.runs.finish(runId, outcome.status, undefined, outcome.stoppedEarly ?? null)
    status(outcome.status)
    return { runId, status: outcome.status, epochsDone: outcome.epochsDone }
  } catch (err) {
    if (err instanceof GpuLostError) {
      // Not the run's fault: it stops where the GPU left it and continues from its last checkpoint.
      const message =
        `${err.message} ` +
        (lastGood
          ? `The last checkpoint (epoch ${lastGood}) is kept: resume the run to continue from it ` +
            `(on another backend: \`aestudio resume ${runId} --backend wasm\`).`
          : 'No epoch finished, so there is no checkpoint; resuming starts it again.')
      store.runs.finish(runId, 'interrupted', message)
      status('interrupted', message)
      return { runId, status: 'interrupted', epochsDone: lastGood }
    }
    let message = err instanceof Error ? err.message : String(err)
    if (err instanceof NonFiniteLossError)
      message += lastGood
        ? ` The last good checkpoint (epoch ${lastGood}) is kept; \`aestudio resume ${runId}\` continues from it.`
        : ' No epoch finished, so there is no checkpoint.'
    store.runs.finish(runId, 'failed', message)
    status('failed', message)
    throw err instanceof StudioError ? err : new StudioError('failed', message)
  }
}
