import * as tf from '@tensorflow/tfjs'
import type { TrainConfig } from '../shared/config'
import { Rng } from './rng'

export type Noise = TrainConfig['noise']

/**
 * Corrupts a batch of images in [0, 1] for the denoising autoencoder (the targets stay clean):
 * - `gaussian`: adds N(0, amount²) noise per value, clipped back to [0, 1];
 * - `saltpepper`: sets a fraction `amount` of pixels (all channels together) to black or white, half each;
 * - `mask`: sets a fraction `amount` of pixels to black (random erasing of single pixels);
 * - `marks`: draws opaque strokes, boxes and text-like blocks in random colours until about `amount` of each
 *   image is covered (watermarks and scribbles to remove; see drawMarks).
 * The same seed gives the same corruption.
 */
export function corrupt(x: tf.Tensor4D, noise: Noise, seed: number): tf.Tensor4D {
  return tf.tidy((): tf.Tensor4D => {
    const [n, h, w, c] = x.shape
    if (noise.kind === 'marks') {
      const { covered, colour } = drawMarks(n, h, w, c, noise.amount, seed)
      const hit = tf.broadcastTo(tf.cast(tf.tensor4d(covered, [n, h, w, 1]), 'bool'), x.shape)
      return tf.where(hit, tf.tensor4d(colour, [n, h, w, c]), x)
    }
    if (noise.kind === 'gaussian')
      return tf.clipByValue(
        tf.add<tf.Tensor4D>(x, tf.randomNormal([n, h, w, c], 0, noise.amount, 'float32', seed)),
        0,
        1
      )
    const u = tf.randomUniform([n, h, w, 1], 0, 1, 'float32', seed)
    const hit = tf.less(u, noise.amount)
    if (noise.kind === 'mask') return tf.where(tf.broadcastTo(hit, x.shape), tf.zerosLike(x), x)
    // Within the hit pixels u is uniform on [0, amount): the lower half turns black, the upper half white.
    const white = tf.cast(tf.greaterEqual(u, noise.amount / 2), 'float32')
    return tf.where(tf.broadcastTo(hit, x.shape), tf.broadcastTo(white, x.shape), x)
  })
}

/**
 * Seeded marks for `n` images of h×w×c: `covered` is 1 where a mark lies (per pixel), `colour` the mark's value
 * there. Shapes are drawn until at least `amount` of each image is covered; each shape covers at most about
 * 1/16 of the image, so the fraction overshoots by little.
 */
export function drawMarks(n: number, h: number, w: number, c: number, amount: number, seed: number) {
  const rng = new Rng(seed)
  const covered = new Uint8Array(n * h * w)
  const colour = new Float32Array(n * h * w * c)
  const target = Math.min(1, amount) * h * w
  const span = (edge: number) => Math.max(2, Math.floor(edge / 4))
  for (let i = 0; i < n; i++) {
    let count = 0
    const paint = (x: number, y: number, rgb: number[]) => {
      if (x < 0 || y < 0 || x >= w || y >= h) return
      const p = (i * h + y) * w + x
      if (!covered[p]) count++
      covered[p] = 1
      for (let k = 0; k < c; k++) colour[p * c + k] = rgb[k]
    }
    // Bounded so a full cover of a large image cannot loop for long; shapes cover new pixels almost always.
    for (let tries = 0; count < target && tries < 100_000; tries++) {
      const rgb = Array.from({ length: c }, () => rng.next())
      const kind = rng.int(3)
      const x0 = rng.int(w)
      const y0 = rng.int(h)
      if (kind === 0) {
        // A filled box.
        const bw = 1 + rng.int(span(w))
        const bh = 1 + rng.int(span(h))
        for (let y = y0; y < y0 + bh; y++) for (let x = x0; x < x0 + bw; x++) paint(x, y, rgb)
      } else if (kind === 1) {
        // A straight stroke one or two pixels thick.
        const angle = rng.next() * Math.PI * 2
        const length = 2 + rng.int(span(Math.max(w, h)) * 2)
        const thick = 1 + rng.int(2)
        for (let t = 0; t <= length; t++) {
          const x = Math.round(x0 + Math.cos(angle) * t)
          const y = Math.round(y0 + Math.sin(angle) * t)
          for (let dy = 0; dy < thick; dy++) for (let dx = 0; dx < thick; dx++) paint(x + dx, y + dy, rgb)
        }
      } else {
        // Text-like: a line of 3×5 random glyphs with one-pixel gaps, scaled with the image.
        const scale = Math.max(1, Math.floor(Math.min(w, h) / 32))
        const glyphs = 1 + rng.int(4)
        for (let g = 0; g < glyphs; g++)
          for (let gy = 0; gy < 5; gy++)
            for (let gx = 0; gx < 3; gx++) {
              if (rng.next() < 0.45) continue
              for (let sy = 0; sy < scale; sy++)
                for (let sx = 0; sx < scale; sx++)
                  paint(x0 + (g * 4 + gx) * scale + sx, y0 + gy * scale + sy, rgb)
            }
      }
    }
  }
  return { covered, colour }
}
