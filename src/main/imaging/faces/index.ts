import { decodeUpright, DEFAULT_LIMITS, type DecodeLimits } from '../decode'
import { detectFaces, type FoundFace } from './detect'
import { alignTransform, eyeDistance, rollDegrees, type Box, type Eyes } from './geometry'
import type { ExpressionScores, FaceModels } from './models'
import { warp, type RawImage } from './warp'

export {
  loadFaceModels,
  EXPRESSIONS,
  type Expression,
  type ExpressionScores,
  type FaceModels
} from './models'
export type { Box, Eyes, Point } from './geometry'

export type FacesPerImage = 'largest' | 'all'

/**
 * Fewest source pixels between the eye centres for a face to be used. Measured on the sample photos shrunk
 * until the eyes are N px apart (scripts/faces-measure.ts): at 16 px the eyes found stay within 8 % of the eye
 * distance of those found at full size and the roll within 1.2°; at 12 px the roll is off by up to 6°, at 8 px
 * the eyes by up to 31 %. (A 64-px crop puts 19 px between the eyes, so 16 px is also about where a crop stops
 * being an enlargement.)
 */
export const MIN_EYE_DISTANCE = 16

/**
 * Detector settings chosen on the sample photos (scripts/faces-measure.ts): ssd (the models' default) at 0.5
 * found all 22 faces with no false one, and kept the weakest face (0.60) that 0.7 loses; tiny needs input 512
 * to find them all, and then (at 0.3) finds a false one too, for about 1.8× the faces per second. `inputSize`
 * is the tiny detector's; ssd always looks at 512.
 */
export const DETECTOR_DEFAULTS = { threshold: 0.5, inputSize: 512 }

export interface FaceOptions {
  /** Crops are size×size pixels with `channels` channels, like the dataset's images. */
  size: number
  channels: 1 | 3
  /** `largest` (default): one crop, of the largest face; `all`: one per face, left to right. */
  perImage?: FacesPerImage
  /** 1 (default) puts the eyes 35 % and 65 % across and 40 % down; 1.5 shows half as much again around. */
  margin?: number
  minEyeDistance?: number
  threshold?: number
  inputSize?: number
  refine?: boolean
  limits?: DecodeLimits
}

export interface FaceCrop {
  /** 1-based, left to right among the faces kept: the dataset image is named `<file>#<index>`. */
  index: number
  /** size×size×channels bytes, row-major, channels last: exactly what the model sees. */
  pixels: Uint8Array
  /** The detector's box in the upright source photo's pixels (for drawing on it). */
  box: Box
  eyes: Eyes
  /** Source pixels between the eye centres. */
  eyeDistance: number
  /** How far the face was turned in the photo, in degrees (the crop is level). */
  roll: number
  score: number
  expressions: ExpressionScores
}

export interface FaceResult {
  crops: FaceCrop[]
  /** Why the file gives no image, in plain words; absent when there are crops. */
  skipped?: string
  /** Faces found but left out: too few pixels between the eyes, or turned to the side (one eye showing). */
  tooSmall: number
  profiles: number
  /** The upright source photo's size. */
  width: number
  height: number
}

/** The dataset image name for face `index` of a file. */
export const faceImageName = (relPath: string, index: number) => `${relPath}#${index}`

const boxArea = (f: FoundFace) => f.box.width * f.box.height

const TURNED = 'turned to the side (one eye showing), so it cannot be aligned'

const small = (px: number, min: number) => `${Math.round(px)} px between the eyes, at least ${min} needed`

function validate(o: FaceOptions) {
  if (!Number.isInteger(o.size) || o.size < 8)
    throw new Error(`face crop size must be a whole number ≥ 8, not ${o.size}`)
  if (o.margin !== undefined && !(o.margin >= 0.5 && o.margin <= 3))
    throw new Error(`face margin must be between 0.5 and 3, not ${o.margin}`)
}

/**
 * Finds the faces in one photo (file bytes, or pixels already decoded upright) and returns each as an aligned
 * square crop: eyes level, at the same place in every crop, cut from the full-resolution photo. A photo with no
 * usable face comes back with `skipped` saying why.
 */
export async function findFaces(
  models: FaceModels,
  input: Buffer | RawImage,
  options: FaceOptions
): Promise<FaceResult> {
  validate(options)
  const src = Buffer.isBuffer(input) ? await decodeUpright(input, options.limits ?? DEFAULT_LIMITS) : input
  // The detector and landmark nets take RGB; grey datasets are made grey at the crop.
  if (src.channels !== 3) throw new Error(`findFaces needs RGB pixels, not ${src.channels} channel(s)`)
  const min = options.minEyeDistance ?? MIN_EYE_DISTANCE
  const margin = options.margin ?? 1
  const faces = await detectFaces(models, src, {
    threshold: options.threshold ?? DETECTOR_DEFAULTS.threshold,
    inputSize: options.inputSize ?? DETECTOR_DEFAULTS.inputSize,
    refine: options.refine
  })
  const usable = faces.filter((f) => !f.profile && eyeDistance(f.eyes) >= min)
  const base = {
    width: src.width,
    height: src.height,
    crops: [] as FaceCrop[],
    tooSmall: faces.filter((f) => !f.profile && eyeDistance(f.eyes) < min).length,
    profiles: faces.filter((f) => f.profile).length
  }
  if (faces.length === 0) return { ...base, skipped: 'no face found' }
  if (usable.length === 0) {
    const largest = faces.reduce((a, b) => (boxArea(b) > boxArea(a) ? b : a))
    const why = largest.profile ? TURNED : `too small: ${small(eyeDistance(largest.eyes), min)}`
    return { ...base, skipped: faces.length === 1 ? `face ${why}` : `no usable face: the largest is ${why}` }
  }
  // The largest usable face; or all of them left to right by the eyes' midpoint: a stable order, and the
  // one a person reads a group photo in.
  const chosen =
    (options.perImage ?? 'largest') === 'largest'
      ? [usable.reduce((a, b) => (boxArea(b) > boxArea(a) ? b : a))]
      : usable.sort((a, b) => a.eyes.left.x + a.eyes.right.x - (b.eyes.left.x + b.eyes.right.x))
  const crops = await Promise.all(
    chosen.map(async (f, i): Promise<FaceCrop> => ({
      index: i + 1,
      pixels: await warp(src, alignTransform(f.eyes, options.size, margin), options.size, options.channels),
      box: f.box,
      eyes: f.eyes,
      eyeDistance: eyeDistance(f.eyes),
      roll: rollDegrees(f.eyes),
      score: f.score,
      expressions: f.expressions
    }))
  )
  return { ...base, crops }
}
