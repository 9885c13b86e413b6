import * as v from 'valibot'
import { int, id } from './fields'
import { jobCall } from './define'

export const INSIGHTS_DEFAULTS = { shown: 8, limit: 200 } as const

export const insightsPcaSchema = v.object({
  runId: id,
  /** Principal components kept; the run's latent size when left out, so PCA gets as many numbers per image. */
  components: v.optional(int(1, 1024)),
  /** Components drawn beside the mean face. */
  shown: v.optional(int(1, 32), INSIGHTS_DEFAULTS.shown),
  /** Where to write the eigenfaces PNG; a data URL comes back when left out. */
  out: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty')))
})

export const insightsCompressionSchema = v.object({
  runId: id,
  /** Validation images measured (each needs a JPEG search). */
  limit: v.optional(int(1, 5000), INSIGHTS_DEFAULTS.limit)
})

export type InsightsPcaInput = v.InferOutput<typeof insightsPcaSchema>
export type InsightsCompressionInput = v.InferOutput<typeof insightsCompressionSchema>

/** Which split the numbers were measured on: validation, or training when the dataset has no validation split. */
export type MeasuredSplit = 'val' | 'train'

export interface PcaBaseline {
  runId: number
  /** Components PCA kept. */
  k: number
  /** The run's latent size: numbers per image the autoencoder keeps. */
  latent: number
  /** Images both were measured on, and which split they came from. */
  count: number
  split: MeasuredSplit
  /** Training images the PCA was fitted on (evenly spread when the split is large). */
  fitCount: number
  /** Mean squared error per pixel value in [0, 1]. */
  pcaMse: number
  aeMse: number
  pcaPsnr: number
  aePsnr: number
  /** Share of the training images' variance the k components hold. */
  explainedVariance: number
  /** Share of the variance along each component drawn, strongest first. */
  componentVariance: number[]
  /** The mean face then the first components, laid out in a grid, as a data URL or a written file. */
  eigenfaces: {
    dataUrl?: string
    file?: string
    exportId?: number
    columns: number
    cell: number
    width: number
    height: number
  }
  checkpoint: { kind: string; epoch: number }
}

export interface CompressionMeasure {
  bits: number
  bytes: number
  /** Mean squared error of the 8-bit images it yields, on [0, 1]; null for the source files (the reference). */
  mse: number | null
  psnr: number | null
}

export interface CompressionReport {
  runId: number
  latent: number
  count: number
  split: MeasuredSplit
  size: number
  channels: 1 | 3
  /** The uncompressed pixels the model sees: size² × channels bytes. */
  pixels: CompressionMeasure
  /** The bottleneck code as float32. */
  float32: CompressionMeasure
  /** The code at 8 bits per dimension (uniform over each dimension's range in this set). */
  quantised8: CompressionMeasure & {
    /** The per-dimension ranges, sent once for the whole set (latent × 2 float32), not per image. */
    rangeBits: number
  }
  /** The original files as imported (mean over the measured images), before resizing. */
  source: CompressionMeasure
  /**
   * Per image, the smallest JPEG of the model-size pixels whose PSNR reaches the autoencoder's on that image;
   * means over the images.
   */
  jpeg: CompressionMeasure & {
    meanQuality: number
    /** Images whose target even quality 100 missed (those count at quality 100). */
    missed: number
  }
  checkpoint: { kind: string; epoch: number }
}

export const insightsCalls = {
  'insights.pca': jobCall<PcaBaseline>()(
    insightsPcaSchema,
    'Eigenfaces of the run’s dataset and the PCA reconstruction error beside the autoencoder’s.'
  ),
  'insights.compression': jobCall<CompressionReport>()(
    insightsCompressionSchema,
    'Bits per image at the bottleneck against the source files and an equal-quality JPEG.'
  )
}
