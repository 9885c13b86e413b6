import * as v from 'valibot'
import { id } from './fields'
import { jobCall } from './define'
import { keyframeSchema } from './viewers'

export const restoreSchema = v.object({
  runId: id,
  /** Dataset image ids or image file paths (any size, colour or grey: they are decoded like the dataset). */
  images: v.pipe(
    v.array(keyframeSchema),
    v.minLength(1, 'give at least one image'),
    v.maxLength(200, 'give at most 200 images at once')
  ),
  /** A folder to write PNGs into; left out, the images come back as data URLs. */
  out: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty')))
})

export type RestoreInput = v.InferOutput<typeof restoreSchema>

/** One image before and after: data URLs when no folder was given, file paths otherwise. */
export interface RestoredImage {
  /** The id or path as given. */
  image: number | string
  /** A short name for the image (its file name, or "image 12"). */
  name: string
  /** What the model saw: the grey image for colourisation, the marked image for cleaning. */
  input?: string
  output?: string
  /** Written files: the output and the before|after strip. */
  files?: string[]
}

export interface RestoreResult {
  runId: number
  kind: 'colorize' | 'clean'
  /** Edge of the model's square images, in pixels. */
  size: number
  images: RestoredImage[]
  /** Every file written, in order (empty without `out`). */
  files: string[]
}

export const restoreCalls = {
  'restore.colorize': jobCall<RestoreResult>()(
    restoreSchema,
    "Colourises images with a colorize run's model: each is greyed, then given colours (PNG data URLs or files)."
  ),
  'restore.clean': jobCall<RestoreResult>()(
    restoreSchema,
    "Removes marks (watermarks, scribbles, noise) from images with a denoising run's model; nothing is added."
  )
}
