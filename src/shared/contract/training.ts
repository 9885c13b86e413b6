import * as v from 'valibot'
import { trainConfigSchema } from '../config'
import { augmentSchema } from '../train-options'
import { call, event, jobCall } from './define'
import { id, int } from './fields'
import type { EpochMetrics, Run, RunStatus } from './domain'

/** One finished epoch, as pushed live and printed by `aestudio train --json`. */
export interface TrainingEpoch {
  runId: number
  epoch: number
  epochs: number
  /** Mean training loss (what the optimizer minimises). */
  loss: number
  /** Mean reconstruction error. */
  recon: number
  /** VAE only: mean KL divergence; null for the other kinds. */
  kl: number | null
  /** Loss on the validation split; null when the dataset has none. */
  valLoss: number | null
  imagesPerSecond: number
  /** Wall time of the epoch, validation included, pauses excluded. */
  seconds: number
  etaSeconds: number
  /** tf.memory().numTensors after the epoch: flat from epoch 2 on, or something leaks. */
  tensors: number
  /** Resident memory of the training process, bytes. */
  rss: number
  /** The learning rate at the epoch's last batch. */
  lr: number
}

/** Progress inside an epoch, at most about five a second. */
export interface TrainingBatch {
  runId: number
  epoch: number
  epochs: number
  batch: number
  batches: number
  /** Mean training loss over the epoch so far. */
  loss: number
  imagesPerSecond: number
}

export interface TrainingStatus {
  runId: number
  status: RunStatus
  epochsDone: number
  /** Why it failed or was interrupted, in plain words. */
  error: string | null
}

export interface TrainingPreview {
  runId: number
  epoch: number
  /** PNG, relative to the data directory: fixed validation images above their reconstructions. */
  file: string
}

/** `aestudio eval --json`: reconstruction error on a folder of images, pixels in [0, 1]. */
export interface EvalResult {
  mse: number
  /** 10·log10(1 / mse), in dB. */
  psnr: number
  count: number
}

const runId = v.pipe(v.number(), v.integer(), v.minValue(1))
const byRun = v.object({ runId })

export const startTrainingSchema = v.object({
  datasetId: v.pipe(v.number(), v.integer(), v.minValue(1)),
  config: trainConfigSchema
})
export type StartTraining = v.InferOutput<typeof startTrainingSchema>

/** Training images of a dataset as one batch would be augmented: what the Train screen shows under its toggles. */
export const augmentPreviewSchema = v.object({
  datasetId: id,
  augment: augmentSchema,
  /** Images, evenly spaced through the training split. */
  count: v.optional(int(1, 32), 8),
  /** The same seed gives the same transforms, so a changed option is all that changes in the strip. */
  seed: v.optional(int(0, 2 ** 31 - 1), 1)
})
export type AugmentPreviewInput = v.InferOutput<typeof augmentPreviewSchema>

export interface AugmentPreview {
  datasetId: number
  /** Pixels per side (the dataset's size); the images are PNG data URLs at that size. */
  size: number
  images: { imageId: number; dataUrl: string }[]
}

export const trainingCalls = {
  'training.start': call<Run>()(
    startTrainingSchema,
    'Creates a run and trains it in a job process; progress comes as training.* events.'
  ),
  'training.pause': call<Run>()(byRun, 'Pauses a running run after the current batch.'),
  'training.resume': call<Run>()(
    v.object({ runId, epochs: v.optional(v.unwrap(trainConfigSchema.entries.epochs)) }),
    'Unpauses a paused run, or continues a stopped/interrupted/finished one from its last checkpoint ' +
      '(optionally raising its total epochs).'
  ),
  'training.stop': call<Run>()(
    byRun,
    'Stops a run after the current batch; its last checkpoint stays usable.'
  ),
  'training.augmentPreview': call<AugmentPreview>()(
    augmentPreviewSchema,
    "A few of the dataset's training images augmented with the given options and seed (PNG data URLs)."
  ),
  'runs.list': call<Run[]>()(v.optional(v.undefined()), 'Every run, newest first.'),
  'runs.get': call<Run>()(byRun, 'One run.'),
  'runs.metrics': call<EpochMetrics[]>()(byRun, 'Per-epoch metrics of a run, oldest first.'),
  'runs.previews': call<{ epoch: number; file: string }[]>()(
    byRun,
    'Preview grids of a run, one per epoch (PNG paths relative to the data directory).'
  ),
  'runs.delete': call<boolean>()(
    byRun,
    'Deletes a run that is not training, with its checkpoints and previews.'
  ),
  'runs.eval': jobCall<EvalResult>()(
    v.object({ runId, folder: v.pipe(v.string(), v.minLength(1)) }),
    "Reconstruction error (MSE, PSNR) of the run's best checkpoint on a folder of images."
  )
}

export const trainingEvents = {
  'training.batch': event<TrainingBatch>('Progress within an epoch, throttled.'),
  'training.epoch': event<TrainingEpoch>('One finished epoch with its losses, speed and memory.'),
  'training.status': event<TrainingStatus>(
    'A run changed status (running, paused, done, stopped, failed...).'
  ),
  'training.preview': event<TrainingPreview>('A new preview grid was saved for an epoch.')
}
