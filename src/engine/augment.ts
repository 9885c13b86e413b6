/**
 * Augmentation of training batches as tensor ops, so it runs where the batch is (GPU included) instead of per
 * image in JavaScript. Only a handful of numbers per image are drawn in JavaScript (from the batch's seed); the
 * pixels are moved by one gather-based warp and recoloured by elementwise ops.
 *
 * Kernels used, all present on cpu, wasm, webgl, webgpu and tensorflow (tfjs-node): Range, Reshape, Mul, Add,
 * Sub, Floor, RealDiv, Minimum, Cast, GatherV2, Mean, Sum, ClipByValue. tf.image.transform would be one kernel
 * (Transform), but tfjs-node has none, and the tensorflow backend is the one `auto` prefers.
 */
import * as tf from '@tensorflow/tfjs'
import type { AugmentOptions } from '../shared/train-options'
import { Rng } from './rng'

/** Per image values, drawn or chosen: index i belongs to image i. */
export interface AugmentParams {
  /** 1 mirrors the image left–right. */
  flip: Uint8Array
  /** Whole-pixel shift, right and down. */
  dx: Int32Array
  dy: Int32Array
  /** Rotation about the centre in radians (positive turns clockwise on screen, y pointing down). */
  angle: Float64Array
  /** Zoom about the centre: > 1 enlarges. */
  scale: Float64Array
  /** Added to every value after the contrast change. */
  brightness: Float64Array
  /** Factor on each value's distance from the image's mean. */
  contrast: Float64Array
  /** Colour images: factor on each pixel's distance from its grey (luma). */
  saturation: Float64Array
  /** Colour images: per channel factor, 3 per image. */
  gains: Float64Array
}

/** Values that leave every image as it is. */
export function identityParams(n: number): AugmentParams {
  return {
    flip: new Uint8Array(n),
    dx: new Int32Array(n),
    dy: new Int32Array(n),
    angle: new Float64Array(n),
    scale: new Float64Array(n).fill(1),
    brightness: new Float64Array(n),
    contrast: new Float64Array(n).fill(1),
    saturation: new Float64Array(n).fill(1),
    gains: new Float64Array(n * 3).fill(1)
  }
}

/** Mixed into the batch seed, so augmentation never draws the same stream as the denoising marks (Rng(seed)). */
const SALT = 0x2545f491

/** Numbers drawn per image, whatever is on, so turning one transform off leaves the others' draws unchanged. */
const DRAWS = 11

/**
 * The per image values for a batch of n images of h×w, from one integer seed: the same seed always gives the
 * same values. Each strength s draws uniformly in ±s (the scale and contrast factors in [1 − s, 1 + s]).
 */
export function drawAugmentParams(
  n: number,
  h: number,
  w: number,
  options: AugmentOptions,
  seed: number
): AugmentParams {
  const rng = new Rng((seed ^ SALT) >>> 0)
  const p = identityParams(n)
  const sym = (u: number, s: number) => (2 * u - 1) * s
  // Whole pixels in [−m, m], each equally likely.
  const shift = (u: number, side: number) => {
    const m = Math.floor(options.shift * side)
    return Math.floor(u * (2 * m + 1)) - m
  }
  for (let i = 0; i < n; i++) {
    const u = Array.from({ length: DRAWS }, () => rng.next())
    if (options.flip) p.flip[i] = u[0] < 0.5 ? 1 : 0
    if (options.shift > 0) {
      p.dx[i] = shift(u[1], w)
      p.dy[i] = shift(u[2], h)
    }
    if (options.rotate > 0) p.angle[i] = (sym(u[3], options.rotate) * Math.PI) / 180
    if (options.scale > 0) p.scale[i] = 1 + sym(u[4], options.scale)
    if (options.brightness > 0) p.brightness[i] = sym(u[5], options.brightness)
    if (options.contrast > 0) p.contrast[i] = 1 + sym(u[6], options.contrast)
    if (options.color > 0) {
      p.saturation[i] = 1 + sym(u[7], options.color)
      for (let k = 0; k < 3; k++) p.gains[i * 3 + k] = 1 + sym(u[8 + k], options.color)
    }
  }
  return p
}

/**
 * The inverse affine map of each image, output pixel → source point, as 6 numbers per image:
 * srcX = m0·x + m1·y + m2, srcY = m3·x + m4·y + m5 (pixel centres at whole coordinates). The forward map is:
 * mirror, then rotate and scale about the centre, then shift.
 */
export function inverseMaps(p: AugmentParams, h: number, w: number): Float64Array {
  const n = p.flip.length
  const out = new Float64Array(n * 6)
  const cx = (w - 1) / 2
  const cy = (h - 1) / 2
  for (let i = 0; i < n; i++) {
    const f = p.flip[i] ? -1 : 1
    // Exact zeros and ones for the common no-rotation case, so whole-pixel moves stay exact in float32.
    const a = p.angle[i] === 0 ? 1 / p.scale[i] : Math.cos(p.angle[i]) / p.scale[i]
    const b = p.angle[i] === 0 ? 0 : Math.sin(p.angle[i]) / p.scale[i]
    // u = out − centre − shift; q = R(−θ)·u / s; src = centre + (mirror ? −q.x : q.x, q.y).
    const ox = cx + p.dx[i]
    const oy = cy + p.dy[i]
    out.set([f * a, f * b, cx - f * (a * ox + b * oy), -b, a, cy + b * ox - a * oy], i * 6)
  }
  return out
}

/** Mirror-reflects whole indices into [0, n): … 1 0 | 0 1 … n−1 | n−1 n−2 … (the edge pixel repeats once). */
function reflectIndex(i: tf.Tensor, n: number): tf.Tensor {
  const period = 2 * n
  const m = tf.sub(i, tf.mul(tf.floor(tf.div(i, period)), period))
  return tf.minimum(m, tf.sub(period - 1, m))
}

const column = (values: ArrayLike<number>, n: number) => tf.tensor3d(Float32Array.from(values), [n, 1, 1])

/**
 * Resamples every image of `x` (NHWC) through its own inverse affine map, bilinearly, the outside mirrored in.
 * Whole-pixel maps (mirror and shift only) take one gather and are exact; others take four.
 */
export function warpAffine(x: tf.Tensor4D, maps: Float64Array): tf.Tensor4D {
  const [n, h, w, c] = x.shape
  if (maps.length !== n * 6) throw new Error(`expected ${n * 6} map coefficients, got ${maps.length}`)
  const whole = maps.every((m) => Number.isInteger(m))
  return tf.tidy(() => {
    const coef = (k: number) =>
      column(
        Array.from({ length: n }, (_, i) => maps[i * 6 + k]),
        n
      )
    const xs = tf.reshape(tf.range(0, w, 1, 'float32'), [1, 1, w])
    const ys = tf.reshape(tf.range(0, h, 1, 'float32'), [1, h, 1])
    const sx = tf.add(tf.add(tf.mul(coef(0), xs), tf.mul(coef(1), ys)), coef(2))
    const sy = tf.add(tf.add(tf.mul(coef(3), xs), tf.mul(coef(4), ys)), coef(5))
    const flat = tf.reshape(x, [n * h * w, c])
    const base = column(
      Array.from({ length: n }, (_, i) => i * h * w),
      n
    )
    const sample = (ix: tf.Tensor, iy: tf.Tensor) => {
      const index = tf.add(tf.add(tf.mul(reflectIndex(iy, h), w), reflectIndex(ix, w)), base)
      return tf.reshape(tf.gather(flat, tf.reshape(tf.cast(index, 'int32'), [-1])), [n, h, w, c])
    }
    if (whole) return sample(sx, sy) as tf.Tensor4D
    const x0 = tf.floor(sx)
    const y0 = tf.floor(sy)
    const fx = tf.expandDims(tf.sub(sx, x0), 3)
    const fy = tf.expandDims(tf.sub(sy, y0), 3)
    const x1 = tf.add(x0, 1)
    const y1 = tf.add(y0, 1)
    const lerp = (a: tf.Tensor, b: tf.Tensor, t: tf.Tensor) => tf.add(a, tf.mul(tf.sub(b, a), t))
    const top = lerp(sample(x0, y0), sample(x1, y0), fx)
    const bottom = lerp(sample(x0, y1), sample(x1, y1), fx)
    return lerp(top, bottom, fy) as tf.Tensor4D
  })
}

const LUMA = [0.299, 0.587, 0.114]

/**
 * Applies given per image values to a batch of images in [0, 1] (NHWC float32): the warp (mirror, rotation,
 * scale, shift) first, then contrast about each image's mean and brightness, then for colour images saturation
 * and channel gains; clipped back to [0, 1]. Stages whose values are all neutral are skipped, so they are exact.
 */
export function applyAugment(x: tf.Tensor4D, p: AugmentParams): tf.Tensor4D {
  const [n, h, w, c] = x.shape
  if (p.flip.length !== n) throw new Error(`augmentation values for ${p.flip.length} images, batch has ${n}`)
  const all = (a: ArrayLike<number>, v: number) => Array.prototype.every.call(a, (e: number) => e === v)
  const geometric = !(all(p.flip, 0) && all(p.dx, 0) && all(p.dy, 0) && all(p.angle, 0) && all(p.scale, 1))
  const tonal = !(all(p.contrast, 1) && all(p.brightness, 0))
  const colour = c === 3 && !(all(p.saturation, 1) && all(p.gains, 1))
  return tf.tidy(() => {
    let y: tf.Tensor4D = geometric ? warpAffine(x, inverseMaps(p, h, w)) : tf.clone(x)
    if (tonal) {
      const col = (v: ArrayLike<number>) => tf.tensor4d(Float32Array.from(v), [n, 1, 1, 1])
      const mean = tf.mean(y, [1, 2, 3], true)
      y = tf.add(tf.add(tf.mul(tf.sub(y, mean), col(p.contrast)), mean), col(p.brightness))
    }
    if (colour) {
      const grey = tf.sum(tf.mul(y, tf.tensor4d(LUMA, [1, 1, 1, 3])), 3, true)
      const sat = tf.tensor4d(Float32Array.from(p.saturation), [n, 1, 1, 1])
      y = tf.mul(
        tf.add(grey, tf.mul(tf.sub(y, grey), sat)),
        tf.tensor4d(Float32Array.from(p.gains), [n, 1, 1, 3])
      )
    }
    return tonal || colour ? tf.clipByValue(y, 0, 1) : y
  })
}

/** Augments a training batch: values drawn from `seed` (see drawAugmentParams), then applied. */
export function augmentBatch(x: tf.Tensor4D, options: AugmentOptions, seed: number): tf.Tensor4D {
  const [n, h, w] = x.shape
  return applyAugment(x, drawAugmentParams(n, h, w, options, seed))
}
