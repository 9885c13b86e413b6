import { rmSync } from 'node:fs'
import { BACKEND_CHOICES, trainConfigSchema, type BackendChoice, type TrainConfig } from '../../shared/config'
import { JobControl, type JobAction } from '../../shared/control'
import { withDatasetDefaults } from '../../shared/train-options'
import type { EpochMetrics, Run, RunStatus } from '../../shared/contract/domain'
import type { Emit } from '../../shared/contract/index'
import type { EvalResult } from '../../shared/contract/training'
import { notFound, StudioError } from '../../shared/errors'
import { parseOrThrow } from '../../shared/validation'
import { isAlive } from '../util/process'
import type { Studio } from './studio'

// TensorFlow.js is loaded lazily (training-run, engine/*): the app's main process only relays, it never trains.

/**
 * Where a run's training happens: a job process (the app, web mode: jobs/training-host.ts) or this process
 * (the CLI, tests).
 */
export interface TrainingHost {
  /** Trains the run; settles with its final row when training ends, however it ends (never rejects). */
  launch(studio: Studio, runId: number, resume: boolean): Promise<Run>
  /** Sends pause/resume/stop to a run training here; false if it is not. */
  control(runId: number, action: JobAction): boolean
  isActive(runId: number): boolean
}

const LIVE: readonly RunStatus[] = ['queued', 'running', 'paused']
const isLive = (run: Run) => LIVE.includes(run.status)

/** Marks runs whose owning process died (crash, SIGKILL, power loss) as interrupted; returns their ids. */
export const markOrphans = (studio: Studio): number[] => studio.store.runs.markOrphansInterrupted(isAlive)

/**
 * When a run's training ended without recording how (its process died — `crashed` —, or it failed before it
 * started), record it now, so it never stays "running".
 */
export function settleRun(studio: Studio, runId: number, err: unknown, emit: Emit, crashed = false): Run {
  const run = studio.store.runs.get(runId)
  if (!run) throw notFound(`Run ${runId}`)
  if (!isLive(run)) return run
  const message = err instanceof Error ? err.message : String(err)
  studio.store.runs.finish(runId, crashed ? 'interrupted' : 'failed', message)
  const after = studio.store.runs.get(runId)!
  emit('training.status', {
    runId,
    status: after.status,
    epochsDone: after.epochsDone,
    error: after.error
  })
  return after
}

/** Trains in this process (the CLI): the event loop keeps turning between batches, so controls still apply. */
export class InProcessTrainingHost implements TrainingHost {
  private readonly controls = new Map<number, JobControl>()

  constructor(
    private readonly emit: Emit = () => {},
    /** The wasm backend's threads for every run trained here (the CLI's --threads); else Settings decides. */
    private readonly threads?: number
  ) {}

  async launch(studio: Studio, runId: number, resume: boolean): Promise<Run> {
    const control = new JobControl()
    this.controls.set(runId, control)
    let failure: unknown = null
    try {
      const { runTraining } = await import('./training-run')
      await runTraining(studio, { runId, resume, threads: this.threads }, { control, emit: this.emit })
    } catch (err) {
      failure = err
    }
    this.controls.delete(runId)
    return settleRun(studio, runId, failure, this.emit)
  }

  control(runId: number, action: JobAction): boolean {
    this.controls.get(runId)?.apply(action)
    return this.controls.has(runId)
  }

  isActive(runId: number): boolean {
    return this.controls.has(runId)
  }
}

export interface Started {
  /** The run as queued. */
  run: Run
  /** Settles with the run's final row when its training ends. */
  finished: Promise<Run>
}

const parseConfig = (input: unknown): TrainConfig =>
  parseOrThrow(trainConfigSchema, input, 'Invalid training settings')

export function getRun(studio: Studio, runId: number): Run {
  const run = studio.store.runs.get(runId)
  if (!run) throw notFound(`Run ${runId}`)
  return run
}

/** Creates a run on a dataset and starts training it. The config must match the dataset's image size. */
export function startTraining(
  studio: Studio,
  input: { datasetId: number; config: unknown },
  host: TrainingHost = new InProcessTrainingHost()
): Started {
  const dataset = studio.store.datasets.get(input.datasetId)
  if (!dataset) throw notFound(`Dataset ${input.datasetId}`)
  const config = parseConfig(withDatasetDefaults(input.config, dataset.trainCount))
  if (dataset.size !== config.size || dataset.channels !== config.channels)
    throw new StudioError(
      'validation',
      `Dataset ${dataset.id} holds ${dataset.size}×${dataset.size} images with ${dataset.channels} channel(s); ` +
        `the run asks for ${config.size}×${config.size} with ${config.channels}. Import the folder at that size.`
    )
  if (dataset.trainCount === 0)
    throw new StudioError('validation', `Dataset ${dataset.id} has no training images.`)
  markOrphans(studio)
  const run = studio.store.runs.create(dataset.id, config)
  return { run, finished: host.launch(studio, run.id, false) }
}

/**
 * Continues a run from its last checkpoint at the next epoch, with the same config (optionally more epochs in
 * total, or another backend: a run whose GPU went away continues on the CPU). A paused run training here is
 * simply unpaused.
 */
export function resumeRun(
  studio: Studio,
  runId: number,
  options: { epochs?: number; backend?: string } = {},
  host: TrainingHost = new InProcessTrainingHost()
): Started {
  let run = getRun(studio, runId)
  if (host.isActive(runId)) {
    if (options.backend !== undefined)
      throw new StudioError(
        'conflict',
        `Run ${runId} is training; stop it before moving it to another backend.`
      )
    host.control(runId, 'resume')
    return { run, finished: Promise.resolve(run) }
  }
  markOrphans(studio)
  run = getRun(studio, runId)
  if (isLive(run))
    throw new StudioError('conflict', `Run ${runId} is already ${run.status} in another process.`)
  const backend = options.backend
  if (backend !== undefined && !(BACKEND_CHOICES as readonly string[]).includes(backend))
    throw new StudioError(
      'validation',
      `"${backend}" is not a backend; choose one of ${BACKEND_CHOICES.join(', ')}.`
    )
  if (options.epochs !== undefined) {
    if (options.epochs <= run.epochsDone)
      throw new StudioError(
        'validation',
        `Run ${runId} has already trained ${run.epochsDone} epochs; give a total above that.`
      )
    studio.store.runs.setEpochs(runId, options.epochs)
  } else if (run.epochsDone >= run.epochs)
    throw new StudioError(
      'conflict',
      `Run ${runId} has finished all ${run.epochs} epochs; give a higher total (--epochs) to train it further.`
    )
  if (backend !== undefined) studio.store.runs.setBackend(runId, backend as BackendChoice)
  studio.store.runs.requeue(runId)
  return { run: getRun(studio, runId), finished: host.launch(studio, runId, true) }
}

/** Pause, resume or stop a run that is training here. */
export function controlRun(studio: Studio, host: TrainingHost, runId: number, action: JobAction): Run {
  const run = getRun(studio, runId)
  if (!host.control(runId, action))
    throw new StudioError('conflict', `Run ${runId} is not training (it is ${run.status}).`)
  return run
}

export function listRuns(studio: Studio): Run[] {
  markOrphans(studio)
  return studio.store.runs.list()
}

export function runMetrics(studio: Studio, runId: number): EpochMetrics[] {
  getRun(studio, runId)
  return studio.store.runs.metrics(runId)
}

export function runPreviews(studio: Studio, runId: number): { epoch: number; file: string }[] {
  getRun(studio, runId)
  return studio.store.artifacts.previews(runId)
}

/** Deletes a run that is not training, with its checkpoints and previews. */
export function deleteRun(studio: Studio, runId: number): boolean {
  markOrphans(studio)
  const run = getRun(studio, runId)
  if (isLive(run))
    throw new StudioError('conflict', `Run ${runId} is ${run.status}; stop it before deleting it.`)
  rmSync(studio.paths.run(runId), { recursive: true, force: true })
  return studio.store.runs.delete(runId)
}

/**
 * Reconstruction error of a run's model on a folder of images, preprocessed like its dataset: the mean squared
 * error over all pixel values in [0, 1], and the PSNR in dB. Files that are not usable images are left out.
 */
export async function evalRun(
  studio: Studio,
  runId: number,
  folder: string,
  which: 'best' | 'last' = 'best'
): Promise<EvalResult> {
  const run = getRun(studio, runId)
  const [{ scan }, { decodeForModel }, { reconstructionMse }, { runPreprocessing, withRun }] =
    await Promise.all([
      import('../imaging/scan'),
      import('../imaging/decode'),
      import('../../engine/model-ops'),
      import('./run-models')
    ])
  const { files } = await scan([folder])
  const prep = runPreprocessing(studio, run)
  const images: Uint8Array[] = []
  const decodeAll = async (decode: (file: string) => Promise<Uint8Array>) => {
    for (const f of files) {
      try {
        images.push(await decode(f.abs))
      } catch {
        // Not a usable image (judged by content, like the importer; for a face run, no usable face).
      }
    }
  }
  if (prep.fit === 'faces') {
    // A face run measures faces: each photo's largest, aligned as its dataset's crops (the models load once).
    const { withFaceModelsHere, largestFace } = await import('./face-files')
    await withRun(
      studio,
      runId,
      () => withFaceModelsHere((models) => decodeAll((file) => largestFace(models, file, prep))),
      which
    )
  } else await decodeAll((file) => decodeForModel(file, prep))
  if (images.length === 0) throw new StudioError('validation', `${folder} holds no usable images.`)
  const per = images[0].length
  const pixels = new Uint8Array(images.length * per)
  images.forEach((img, i) => pixels.set(img, i * per))
  const mse = await withRun(
    studio,
    runId,
    ({ model }) => reconstructionMse(model, pixels, images.length),
    which
  )
  return { mse, psnr: 10 * Math.log10(1 / mse), count: images.length }
}
