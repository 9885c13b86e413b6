import * as v from 'valibot'
import { int, id, path } from './fields'
import { call, event, jobCall } from './define'

/** Defaults shared by the app's viewers and `aestudio` (morph, recon, sample, manifold). */
export const EXPORT_DEFAULTS = {
  frames: 24,
  size: 256,
  delay: 80,
  interp: 'lerp',
  pingpong: false,
  loop: 0,
  count: 16,
  seed: 1,
  steps: 15
} as const

/** A keyframe: an image of a dataset by id, or any image file by path (preprocessed like the run's dataset). */
export const keyframeSchema = v.union([id, path])
const keyframes = v.pipe(
  v.array(keyframeSchema),
  v.minLength(2, 'give at least 2 keyframes'),
  v.maxLength(32, 'give at most 32 keyframes')
)
const interp = v.optional(v.picklist(['lerp', 'slerp'], 'must be lerp or slerp'), EXPORT_DEFAULTS.interp)

export const morphFrameSchema = v.object({
  runId: id,
  keyframes,
  /** Position along the whole path: 0 is the first keyframe, 1 the last. */
  t: v.pipe(v.number(), v.minValue(0, 'must be between 0 and 1'), v.maxValue(1, 'must be between 0 and 1')),
  interp,
  /** Width and height of the returned frame; the model's own size when left out. */
  size: v.optional(int(8, 1024))
})

export const morphExportSchema = v.object({
  runId: id,
  keyframes,
  /** Where to write: .gif, .webp, or .png (a strip of frames). */
  out: path,
  frames: v.optional(int(2, 600), EXPORT_DEFAULTS.frames),
  size: v.optional(int(8, 2048), EXPORT_DEFAULTS.size),
  /** Milliseconds per frame (GIF keeps hundredths of a second). */
  delay: v.optional(int(10, 65535), EXPORT_DEFAULTS.delay),
  interp,
  pingpong: v.optional(v.boolean(), EXPORT_DEFAULTS.pingpong),
  /** 0 loops forever; n plays n times. */
  loop: v.optional(int(0, 65535), EXPORT_DEFAULTS.loop)
})

/** Grid calls return a PNG data URL for the viewers, or write the PNG to `out` (and return its path). */
const out = v.optional(path)

export const reconGridSchema = v.object({
  runId: id,
  count: v.optional(int(1, 256), EXPORT_DEFAULTS.count),
  out
})
export const samplesRandomSchema = v.object({
  runId: id,
  count: v.optional(int(1, 256), EXPORT_DEFAULTS.count),
  seed: v.optional(int(0, 2 ** 31 - 1), EXPORT_DEFAULTS.seed),
  out
})
export const manifoldSchema = v.object({
  runId: id,
  steps: v.optional(int(2, 40), EXPORT_DEFAULTS.steps),
  out
})
export const latentMapSchema = v.object({ runId: id, limit: v.optional(int(1, 20000), 2000) })
export const modelExportSchema = v.object({ runId: id, out: path })

export type MorphFrameInput = v.InferOutput<typeof morphFrameSchema>
export type MorphExportInput = v.InferOutput<typeof morphExportSchema>
export type ReconGridInput = v.InferOutput<typeof reconGridSchema>
export type SamplesRandomInput = v.InferOutput<typeof samplesRandomSchema>
export type ManifoldInput = v.InferOutput<typeof manifoldSchema>
export type LatentMapInput = v.InferOutput<typeof latentMapSchema>
export type ModelExportInput = v.InferOutput<typeof modelExportSchema>

export interface MorphFrame {
  dataUrl: string
  width: number
  height: number
  t: number
}

/** What every animation export (morph, vector, sweep) says of the file it wrote. */
export interface AnimationFile {
  file: string
  format: 'gif' | 'webp' | 'png'
  frames: number
  width: number
  height: number
  /** What the file stores per frame (GIF rounds to 10 ms). */
  delay: number
}

export interface MorphExportResult extends AnimationFile {
  exportId: number
  loop: number
  seconds: number
}

export interface GridResult {
  /** Set when written to a file. */
  file?: string
  exportId?: number
  /** Set when no file was asked for. */
  dataUrl?: string
  /** What each row shows, top to bottom: 'original', 'noisy', 'reconstruction', 'sample', 'manifold'. */
  rows: string[]
  columns: number
  /** Pixels per cell (images are scaled up by a whole factor to at least 64 px). */
  cell: number
  width: number
  height: number
  /** recon.grid: the dataset images shown, left to right. */
  imageIds?: number[]
}

export interface LatentPoint {
  imageId: number
  x: number
  y: number
  /** WebP thumbnail, relative to the data directory (as datasets.images gives it). */
  thumb: string | null
}

export interface LatentMap {
  runId: number
  latent: number
  points: LatentPoint[]
  /** Share of the codes' variance along x and y. */
  explained: [number, number]
}

export interface ModelExportResult {
  exportId: number
  dir: string
  /** Relative to `dir`: encoder/model.json, decoder/model.json, their weights, config.json. */
  files: string[]
}

export interface SampleSet {
  /** Folder of the bundled images, ready to import. */
  path: string
  name: string
  count: number
  description: string
  license: string
}

export interface ExportProgress {
  runId: number
  kind: 'morph'
  done: number
  total: number
  file: string
}

export const viewerCalls = {
  'morph.frame': call<MorphFrame>()(
    morphFrameSchema,
    'One in-between frame of a morph as a PNG data URL (keyframe codes are cached per run).'
  ),
  'morph.export': jobCall<MorphExportResult>()(
    morphExportSchema,
    'Writes a morph as GIF, WebP or PNG strip; progress comes as exports.progress events.'
  ),
  'recon.grid': call<GridResult>()(
    reconGridSchema,
    'Validation images above their reconstructions (denoising runs add the noisy inputs).'
  ),
  'samples.random': call<GridResult>()(samplesRandomSchema, 'New images drawn from a VAE’s prior.'),
  'manifold.grid': jobCall<GridResult>()(manifoldSchema, 'Decodes a grid over a 2-D latent plane.'),
  'latent.map': jobCall<LatentMap>()(latentMapSchema, 'The validation codes projected to 2-D by PCA.'),
  'model.export': jobCall<ModelExportResult>()(
    modelExportSchema,
    'Writes encoder and decoder in TensorFlow.js layers format plus the run’s config.json.'
  ),
  'samples.folder': call<SampleSet>()(v.optional(v.undefined()), 'The bundled sample images (Fashion-MNIST).')
}

export const viewerEvents = {
  'exports.progress': event<ExportProgress>('Frames done of a morph export.')
}
