import * as v from 'valibot'
import { int, id, path } from './fields'
import { trainConfigSchema, type TrainConfig } from '../config'
import { call, event, jobCall } from './define'
import { EXPORT_DEFAULTS, type AnimationFile } from './viewers'

/** Defaults shared by the app's sweep view and `aestudio sweep`. */
export const SWEEP_DEFAULTS = { latents: [2, 4, 8, 16, 32], count: 8, delay: 600 } as const

export type SweepStatus = 'running' | 'done' | 'stopped' | 'failed' | 'interrupted'

/** One finished latent size. */
export interface SweepResult {
  latent: number
  runId: number
  /** Mean squared error of the best checkpoint's reconstructions of the validation split, pixels in [0, 1]. */
  valMse: number
}

export interface Sweep {
  id: number
  datasetId: number | null
  /** The config every run shares; each run replaces `latent`. */
  config: TrainConfig
  /** Latent sizes in training order. */
  latents: number[]
  /** Finished sizes so far, in the same order. */
  results: SweepResult[]
  status: SweepStatus
  error: string | null
  createdAt: string
  finishedAt: string | null
}

/** Pushed when a run of a sweep starts or ends; the run's own training.* events carry its runId. */
export interface SweepProgress {
  sweepId: number
  /** Index into `latents` of the run this is about. */
  index: number
  latent: number
  /** Null when the sweep was stopped before this size's run started. */
  runId: number | null
  /** 'running' when the run starts; its final run status when it ends; 'stopped' for a stop between runs. */
  runStatus: string
  sweep: Sweep
}

export const latentsSchema = v.pipe(
  v.array(int(2, 512)),
  v.minLength(1, 'give at least one latent size'),
  v.maxLength(16, 'give at most 16 latent sizes'),
  v.check((l) => new Set(l).size === l.length, 'give each latent size once')
)

export const sweepStartSchema = v.object({
  datasetId: id,
  /** The training config; its `latent` is replaced by each size in turn. */
  config: trainConfigSchema,
  latents: latentsSchema
})
const bySweep = v.object({ sweepId: id })
/** Validation images shown per latent size. */
const count = v.optional(int(1, 64), SWEEP_DEFAULTS.count)

export const sweepGridSchema = v.object({ sweepId: id, count, out: v.optional(path) })
export const sweepExportSchema = v.object({
  sweepId: id,
  count,
  /** Where to write: .gif, .webp, or .png (a strip of frames). */
  out: path,
  /** Milliseconds per frame (one frame per latent size). */
  delay: v.optional(int(10, 65535), SWEEP_DEFAULTS.delay),
  loop: v.optional(int(0, 65535), EXPORT_DEFAULTS.loop)
})

export type SweepStartInput = v.InferOutput<typeof sweepStartSchema>
export type SweepGridInput = v.InferOutput<typeof sweepGridSchema>
export type SweepExportInput = v.InferOutput<typeof sweepExportSchema>

export interface SweepGrid {
  /** 'original', then 'latent N' for each finished size, top to bottom. */
  rows: string[]
  columns: number
  cell: number
  width: number
  height: number
  dataUrl?: string
  file?: string
}

/** `frames`: one per finished latent size, in latent order. */
export interface SweepExportResult extends AnimationFile {
  latents: number[]
}

export const sweepCalls = {
  'sweep.start': call<Sweep>()(
    sweepStartSchema,
    'Trains the model at each latent size in turn (one run each); progress comes as sweep.progress and ' +
      'training.* events.'
  ),
  'sweep.get': call<Sweep>()(bySweep, 'One sweep with the validation error of each finished latent size.'),
  'sweep.list': call<Sweep[]>()(v.optional(v.undefined()), 'Every sweep, newest first.'),
  'sweep.stop': call<Sweep>()(bySweep, 'Stops a sweep after the current batch of its current run.'),
  'sweep.grid': call<SweepGrid>()(
    sweepGridSchema,
    'The same validation images above their reconstructions at each latent size.'
  ),
  'sweep.export': jobCall<SweepExportResult>()(
    sweepExportSchema,
    'Writes one frame per latent size (originals above reconstructions) as a GIF, WebP or PNG strip.'
  )
}

export const sweepEvents = {
  'sweep.progress': event<SweepProgress>('A run of a sweep started or ended.')
}
