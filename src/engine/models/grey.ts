import * as tf from '@tensorflow/tfjs'

/** ITU-R BT.601 luma weights (what sharp and most decoders use for greyscale). */
export const LUMA = [0.299, 0.587, 0.114] as const

/** NHWC colour → one-channel luminance; a one-channel batch comes back as a copy. */
export function toGrey(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    if (x.shape[3] === 1) return tf.clone(x)
    if (x.shape[3] !== 3) throw new Error(`expected 1 or 3 channels, got ${x.shape[3]}`)
    return tf.sum(tf.mul(x, tf.tensor1d([...LUMA])), 3, true) as tf.Tensor4D
  })
}
