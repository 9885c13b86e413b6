import * as tf from '@tensorflow/tfjs'
import type { TrainConfig } from '../../shared/config'

export type Noise = TrainConfig['noise']

/**
 * Corrupts a batch of images in [0, 1] for the denoising autoencoder (the targets stay clean):
 * - `gaussian`: adds N(0, amount²) noise per value, clipped back to [0, 1];
 * - `saltpepper`: sets a fraction `amount` of pixels (all channels together) to black or white, half each;
 * - `mask`: sets a fraction `amount` of pixels to black (random erasing of single pixels).
 * The same seed gives the same corruption.
 */
export function corrupt(x: tf.Tensor4D, noise: Noise, seed: number): tf.Tensor4D {
  return tf.tidy((): tf.Tensor4D => {
    const [n, h, w, c] = x.shape
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
