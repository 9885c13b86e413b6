import type * as TF from '@tensorflow/tfjs'
import {
  apply,
  boxTransform,
  eyeCentres,
  eyeDistance,
  fromPairs,
  invert,
  type Box,
  type Eyes,
  type Point,
  type Similarity
} from './geometry'
import { EXPRESSIONS, type ExpressionScores, type FaceModels } from './models'
import { shrink } from './source'
import { warp, type RawImage } from './warp'

/** The landmark and expression nets' input side. */
export const PATCH = 112

/**
 * How a frontal face sits in the detector's square box, measured over the ssd boxes of the sample photos
 * (scripts/faces-measure.ts): the eye centres are 0.33 of the box’s side apart and their midpoint is 0.42 of
 * the way down. The refining patch reproduces that framing, so the landmark and expression nets see a face
 * placed as in their training crops, only level.
 */
export const BOX_FRAMING = { eyeShare: 0.33, eyesDown: 0.42 }

/**
 * Eye spacing, as a share of the box's side, below which a face is taken to be in profile: only one eye shows
 * and the landmark net pulls both eye rings towards it (0.16 on the one profile in the samples, 0.09 after
 * refining; the frontal and three-quarter faces there measure 0.28–0.39). Such a face has no eye line to
 * align on.
 */
export const PROFILE_SHARE = 0.2

export interface DetectOptions {
  /** Detector score a face needs. */
  threshold: number
  /** The tiny detector's input side (a multiple of 32); ssd always looks at 512. */
  inputSize: number
  /** Find the landmarks a second time on a level patch (better on turned faces). Default true. */
  refine?: boolean
}

export interface FoundFace {
  score: number
  /** The detector's box, in source pixels. */
  box: Box
  /** Eye centres, in source pixels. */
  eyes: Eyes
  /** The 68 landmarks, in source pixels. */
  landmarks: Point[]
  expressions: ExpressionScores
  /** Turned to the side (see PROFILE_SHARE): its eyes are not usable for alignment. */
  profile: boolean
}

/** Source → patch transform that frames the face like a detector box, but with the eyes level. */
export function framingTransform(eyes: Eyes): Similarity {
  const { eyeShare, eyesDown } = BOX_FRAMING
  const y = eyesDown * PATCH
  return fromPairs(
    eyes.left,
    eyes.right,
    { x: (0.5 - eyeShare / 2) * PATCH, y },
    { x: (0.5 + eyeShare / 2) * PATCH, y }
  )
}

async function patches(tf: typeof TF, src: RawImage, transforms: Similarity[]): Promise<TF.Tensor3D[]> {
  const pixels = await Promise.all(transforms.map((t) => warp(src, t, PATCH, 3)))
  return pixels.map((p) => tf.tensor3d(p, [PATCH, PATCH, 3], 'int32'))
}

/** Landmarks (in source pixels) and, when asked, expressions, from one patch per transform, in one batch. */
export async function landmarksIn(
  models: FaceModels,
  src: RawImage,
  transforms: Similarity[],
  expressions: boolean
) {
  const inputs = await patches(models.tf, src, transforms)
  try {
    const found = await models.landmarks.detectLandmarks(inputs)
    const scored = expressions ? await models.expressions.predictExpressions(inputs) : []
    return found.map((l, i) => {
      const back = invert(transforms[i])
      return {
        landmarks: l.positions.map((p) => apply(back, p)),
        expressions: scored[i] as ExpressionScores | undefined
      }
    })
  } finally {
    inputs.forEach((t) => t.dispose())
  }
}

const scores = (e: ExpressionScores): ExpressionScores =>
  Object.fromEntries(EXPRESSIONS.map((k) => [k, Math.round(e[k] * 1e4) / 1e4])) as ExpressionScores

/**
 * Every face in an upright image: the detector runs on a copy shrunk to its input size; the landmarks (and
 * expressions) come from 112-px patches cut from the full-resolution image around each box, and, with
 * `refine`, again from a patch turned level by the first eyes.
 */
export async function detectFaces(
  models: FaceModels,
  src: RawImage,
  opts: DetectOptions
): Promise<FoundFace[]> {
  const { tf } = models
  const inputSize = models.detector === 'ssd' ? 512 : opts.inputSize
  const small = await shrink(src, inputSize)
  const input = tf.tensor3d(small.data, [small.height, small.width, 3], 'int32')
  let detections
  try {
    detections = await models.locate(input, opts.threshold, inputSize)
  } finally {
    input.dispose()
  }
  if (detections.length === 0) return []
  const sx = src.width / small.width
  const sy = src.height / small.height
  const boxes = detections.map((d): Box => ({
    x: d.box.x * sx,
    y: d.box.y * sy,
    width: d.box.width * sx,
    height: d.box.height * sy
  }))
  // Expressions from the box patch: the expression net was trained on detector crops, and on the sample
  // photos it calls smiles better there than on level patches (scripts/faces-measure.ts).
  const first = await landmarksIn(
    models,
    src,
    boxes.map((b) => boxTransform(b, PATCH)),
    true
  )
  const sideways = (l: Point[], box: Box) =>
    eyeDistance(eyeCentres(l)) < PROFILE_SHARE * Math.max(box.width, box.height)
  const profile = first.map((f, i) => sideways(f.landmarks, boxes[i]))
  const landmarks = first.map((f) => f.landmarks)
  const level = first.flatMap((_, i) => ((opts.refine ?? true) && !profile[i] ? [i] : []))
  if (level.length > 0) {
    const second = await landmarksIn(
      models,
      src,
      level.map((i) => framingTransform(eyeCentres(landmarks[i]))),
      false
    )
    level.forEach((i, j) => {
      landmarks[i] = second[j].landmarks
      profile[i] = sideways(landmarks[i], boxes[i])
    })
  }
  return first.map((f, i) => ({
    score: Math.round(detections[i].score * 1e4) / 1e4,
    box: boxes[i],
    eyes: eyeCentres(landmarks[i]),
    landmarks: landmarks[i],
    expressions: scores(f.expressions!),
    profile: profile[i]
  }))
}
