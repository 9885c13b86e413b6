import * as tf from '@tensorflow/tfjs'
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { TrainConfig } from '../../shared/config'
import type { RunStatus } from '../../shared/contract/domain'
import type {
  TrainingBatch,
  TrainingEpoch,
  TrainingPreview,
  TrainingStatus
} from '../../shared/contract/training'
import { initBackend } from '../ml/backends'
import { captureState, encodeCheckpoint, readCheckpoint, restoreState, sha256 } from '../ml/checkpoint'
import { NonFiniteLossError, trainLoop, type TrainingSet } from '../ml/loop'
import { buildModel } from '../ml/models/index'
import { writeFileAtomic } from '../util/atomic-write'
import { renderPreview } from '../ml/preview'
import { startTrainingReplicas, type Replicas } from '../ml/replicas'
import { Rng } from '../ml/rng'
import type { Autoencoder } from '../ml/types'
import { loadTrainingData } from '../services/datasets'
import { notFound, StudioError } from '../services/errors'
import type { Studio } from '../services/studio'
import type { JobContext, JobFn } from './context'

export interface TrainJobParams {
  runId: number
  /** Continue from the run's last checkpoint (a new run, or one without a checkpoint, starts from scratch). */
  resume?: boolean
}

export interface TrainJobResult {
  runId: number
  status: Extract<RunStatus, 'done' | 'stopped'>
  epochsDone: number
}

export interface TrainDeps {
  /** Tests swap in a model that misbehaves on purpose; everything else uses the real builder. */
  buildModel(config: TrainConfig): Autoencoder
}

/** Checkpoint and preview paths of a run, absolute and relative to the data directory (as the store keeps them). */
export function runFiles(studio: Studio, runId: number) {
  const dir = studio.paths.run(runId)
  const rel = (file: string) => relative(studio.paths.home, file).split('\\').join('/')
  return {
    dir,
    checkpoints: join(dir, 'checkpoints'),
    checkpoint: (epoch: number) => join(dir, 'checkpoints', `epoch-${String(epoch).padStart(4, '0')}.ckpt`),
    preview: (epoch: number) => join(dir, 'previews', `epoch-${String(epoch).padStart(4, '0')}.png`),
    rel
  }
}

/** Deletes a run's checkpoint files that neither `last` nor `best` refers to. */
function pruneCheckpoints(studio: Studio, runId: number): void {
  const files = runFiles(studio, runId)
  const keep = new Set(
    (['last', 'best'] as const).map((k) => studio.store.artifacts.checkpoint(runId, k)?.file).filter(Boolean)
  )
  for (const name of readdirSync(files.checkpoints))
    if (!keep.has(files.rel(join(files.checkpoints, name))))
      rmSync(join(files.checkpoints, name), { force: true })
}

/**
 * Trains one run to its configured epochs: loads the dataset, picks the backend, builds (or restores) the model,
 * and after every epoch writes the `last` checkpoint (and `best`, by validation loss), the metrics and a preview
 * grid. The run row follows along (running, paused, done, stopped, failed). Runs in a job process in the app and
 * in-process for the CLI.
 */
export async function runTraining(
  studio: Studio,
  params: TrainJobParams,
  ctx: Pick<JobContext, 'control' | 'emit'>,
  deps: TrainDeps = { buildModel }
): Promise<TrainJobResult> {
  const { store } = studio
  const { runId } = params
  const run = store.runs.get(runId)
  if (!run) throw notFound(`Run ${runId}`)
  const config = run.config
  const files = runFiles(studio, runId)
  const status = (s: RunStatus, error: string | null = null) => {
    const epochsDone = store.runs.get(runId)?.epochsDone ?? 0
    ctx.emit('training.status', { runId, status: s, epochsDone, error } satisfies TrainingStatus)
  }
  let model: Autoencoder | undefined
  let optimizer: tf.Optimizer | undefined
  let replicas: Replicas | undefined
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
    const backend = await initBackend(config.backend)
    model = deps.buildModel(config)
    // wasm trains on every core as data-parallel replicas. They rebuild the model from its config, so a test's
    // stand-in model trains alone.
    if (deps.buildModel === buildModel) replicas = await startTrainingReplicas(model, backend)
    optimizer = tf.train.adam(config.lr)
    let rng = new Rng(config.seed)
    let startEpoch = 0
    let best: number | null = null
    const saved = params.resume ? store.artifacts.checkpoint(runId, 'last') : undefined
    if (saved) {
      const ckpt = readCheckpoint(join(studio.paths.home, saved.file), saved.sha256)
      await restoreState(model, optimizer, ckpt)
      rng = Rng.fromState(ckpt.rng)
      startEpoch = ckpt.epoch
      best = ckpt.bestValLoss
    }
    lastGood = startEpoch
    mkdirSync(join(files.dir, 'previews'), { recursive: true })
    mkdirSync(files.checkpoints, { recursive: true })
    store.runs.markStarted(runId, backend.name, backend.notes, process.pid)
    status('running')

    const trained = model
    const adam = optimizer
    const previewSource =
      data.valCount > 0
        ? { pixels: data.val, count: data.valCount, size: data.size, channels: data.channels }
        : { pixels: data.train, count: data.trainCount, size: data.size, channels: data.channels }
    const set: TrainingSet = data
    const outcome = await trainLoop({
      model: trained,
      optimizer: adam,
      data: set,
      config,
      rng,
      startEpoch,
      control: ctx.control,
      gradients: replicas?.gradients,
      onBatch: (b) => ctx.emit('training.batch', { runId, ...b } satisfies TrainingBatch),
      onPause: (paused) => {
        store.runs.setStatus(runId, paused ? 'paused' : 'running')
        status(paused ? 'paused' : 'running')
      },
      onEpoch: async (report) => {
        // Validation loss picks the best checkpoint; without a validation split, the training loss does.
        const score = report.valLoss ?? report.loss
        const improved = best === null || score < best
        if (improved) best = score
        const bytes = encodeCheckpoint({
          epoch: report.epoch,
          config,
          rng: rng.state(),
          bestValLoss: best,
          ...(await captureState(trained, adam))
        })
        // A new file per epoch, and the store switched to it in one transaction: whenever the process dies,
        // `last` and `best` name complete files whose hashes match. Files neither names any more go afterwards.
        const file = files.checkpoint(report.epoch)
        writeFileAtomic(file, bytes)
        const digest = sha256(bytes)
        store.db.transaction(() => {
          for (const kind of improved ? (['last', 'best'] as const) : (['last'] as const))
            store.artifacts.setCheckpoint(runId, kind, report.epoch, files.rel(file), digest)
          store.runs.recordEpoch(runId, report)
        })()
        pruneCheckpoints(studio, runId)
        lastGood = report.epoch
        const png = await renderPreview(trained, previewSource, config)
        const previewFile = files.preview(report.epoch)
        writeFileSync(previewFile, png)
        store.artifacts.addPreview(runId, report.epoch, files.rel(previewFile))
        ctx.emit('training.preview', {
          runId,
          epoch: report.epoch,
          file: files.rel(previewFile)
        } satisfies TrainingPreview)
        ctx.emit('training.epoch', { runId, ...report } satisfies TrainingEpoch)
      }
    })
    store.runs.finish(runId, outcome.status)
    status(outcome.status)
    return { runId, status: outcome.status, epochsDone: outcome.epochsDone }
  } catch (err) {
    let message = err instanceof Error ? err.message : String(err)
    if (err instanceof NonFiniteLossError)
      message += lastGood
        ? ` The last good checkpoint (epoch ${lastGood}) is kept; \`aestudio resume ${runId}\` continues from it.`
        : ' No epoch finished, so there is no checkpoint.'
    store.runs.finish(runId, 'failed', message)
    status('failed', message)
    throw err instanceof StudioError ? err : new StudioError('failed', message)
  } finally {
    await replicas?.dispose()
    model?.dispose()
    optimizer?.dispose()
  }
}

/**
 * The `train` job kind: params are TrainJobParams. If the owning process goes away (its IPC channel closes),
 * the run stops cleanly at the next batch instead of training on unseen.
 */
export const trainJob: JobFn = (params, ctx) => {
  const orphaned = () => ctx.control.apply('stop')
  process.once('disconnect', orphaned)
  return runTraining(ctx.studio, params as TrainJobParams, ctx).finally(() =>
    process.off('disconnect', orphaned)
  )
}
