import * as v from 'valibot'
import { int, id, path } from './fields'
import { call, jobCall } from './define'
import { EXPORT_DEFAULTS, keyframeSchema, type AnimationFile } from './viewers'
import type { DatasetImage } from './datasets'
import { EXPRESSIONS } from './domain'

/** Defaults shared by the app's vector view and `aestudio vector`. */
export const VECTOR_DEFAULTS = { strength: 1, frames: 12, size: 256, delay: 80 } as const

/** Images by dataset image id or by file path, like morph keyframes. */
const imageSet = (what: string) =>
  v.pipe(
    v.array(keyframeSchema),
    v.minLength(1, `give at least one image ${what} the trait`),
    v.maxLength(2000, 'give at most 2000 images')
  )
const strength = v.pipe(
  v.number('must be a number'),
  v.finite('must be a number'),
  v.minValue(-10, 'must be at least -10'),
  v.maxValue(10, 'must be at most 10')
)

export const vectorComputeSchema = v.object({
  runId: id,
  withImages: imageSet('with'),
  withoutImages: imageSet('without')
})

export const vectorFrameSchema = v.object({
  ...vectorComputeSchema.entries,
  /** The image the vector is added to. */
  target: keyframeSchema,
  strength,
  /** Width and height of the returned frame; the model's own size when left out. */
  size: v.optional(int(8, 1024))
})

export const vectorExportSchema = v.object({
  ...vectorComputeSchema.entries,
  target: keyframeSchema,
  /** The last frame's strength; the first is 0 (the plain reconstruction). */
  strength: v.optional(strength, VECTOR_DEFAULTS.strength),
  /** Where to write: .gif, .webp, or .png (a strip of frames). */
  out: path,
  frames: v.optional(int(2, 600), VECTOR_DEFAULTS.frames),
  size: v.optional(int(8, 2048), VECTOR_DEFAULTS.size),
  delay: v.optional(int(10, 65535), VECTOR_DEFAULTS.delay),
  loop: v.optional(int(0, 65535), EXPORT_DEFAULTS.loop)
})

const share = (what: string) =>
  v.pipe(
    v.number(`${what} must be a number`),
    v.gtValue(0, `${what} must be above 0`),
    v.maxValue(1, `${what} must be at most 1`)
  )

/** Defaults shared by the vector view's trait picker and `aestudio vector --trait`. */
export const TRAIT_DEFAULTS = { threshold: 0.5 } as const

export const traitSetsSchema = v.pipe(
  v.object({
    datasetId: id,
    trait: v.picklist(EXPRESSIONS, `must be one of: ${EXPRESSIONS.join(', ')}`),
    /** Images scoring at least this form "with". */
    threshold: v.optional(share('threshold'), TRAIT_DEFAULTS.threshold),
    /** Images scoring below this form "without" (defaults to `threshold`); those in between are in neither. */
    below: v.optional(share('below'))
  }),
  v.forward(
    v.check((o) => o.below === undefined || o.below <= o.threshold, 'must not be above threshold'),
    ['below']
  )
)
export type TraitSetsInput = v.InferOutput<typeof traitSetsSchema>

/** A face dataset's images split by one expression's score, highest score first in each set. */
export interface TraitSets {
  with: DatasetImage[]
  without: DatasetImage[]
}

export type VectorComputeInput = v.InferOutput<typeof vectorComputeSchema>
export type VectorFrameInput = v.InferOutput<typeof vectorFrameSchema>
export type VectorExportInput = v.InferOutput<typeof vectorExportSchema>

export interface AttributeVector {
  runId: number
  /** mean code of the images with the trait − mean code of those without. */
  vector: number[]
  dimensions: number
  norm: number
  withCount: number
  withoutCount: number
}

export interface VectorFrame {
  dataUrl: string
  width: number
  height: number
  strength: number
}

export interface VectorExportResult extends AnimationFile {
  exportId: number
  dimensions: number
  norm: number
  /** The strength of each frame, first to last. */
  strengths: number[]
}

export const vectorCalls = {
  'vector.compute': call<AttributeVector>()(
    vectorComputeSchema,
    'The attribute vector of a run: mean code of the images with a trait minus that of the images without.'
  ),
  'vector.frame': call<VectorFrame>()(
    vectorFrameSchema,
    'The target image with the attribute vector added at a strength, as a PNG data URL (codes are cached).'
  ),
  'vector.traitSets': call<TraitSets>()(
    traitSetsSchema,
    'The images of a face dataset that show an expression (score ≥ threshold) and those that do not (< below).'
  ),
  'vector.export': jobCall<VectorExportResult>()(
    vectorExportSchema,
    'Writes the target with the vector added at strengths from 0 to `strength` as a GIF, WebP or PNG strip.'
  )
}
