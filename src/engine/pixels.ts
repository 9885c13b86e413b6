import * as tf from '@tensorflow/tfjs'

/** 8-bit pixels, row-major, interleaved channels: what a model's output becomes before the host writes it. */
export interface RawImage {
  data: Uint8Array
  width: number
  height: number
  channels: 1 | 3
}

/** Copies images `indices` of an NHWC byte array into a float32 batch in [0, 1]. */
export function batchTensor(
  pixels: Uint8Array,
  indices: ArrayLike<number>,
  size: number,
  channels: number
): tf.Tensor4D {
  const per = size * size * channels
  // A fresh array each time: backends may keep the array they are given instead of copying it.
  const bytes = new Float32Array(indices.length * per)
  // Byte to float in one native conversion per image, and the /255 as one tensor op: a third of the time of a
  // per-value JavaScript loop, and the same float32 values as v / 255 on tensorflow, wasm and cpu.
  for (let i = 0; i < indices.length; i++)
    bytes.set(pixels.subarray(indices[i] * per, (indices[i] + 1) * per), i * per)
  return tf.tidy(() => tf.div(tf.tensor4d(bytes, [indices.length, size, size, channels]), 255))
}

/** All `count` images of uint8 NHWC pixels (as the import cache gives them) → a float batch in [0, 1]. */
export function pixelsToTensor(
  pixels: Uint8Array,
  count: number,
  size: number,
  channels: 1 | 3
): tf.Tensor4D {
  if (pixels.length !== count * size * size * channels)
    throw new Error(`expected ${count} images of ${size}×${size}×${channels}, got ${pixels.length} bytes`)
  return batchTensor(
    pixels,
    Array.from({ length: count }, (_, i) => i),
    size,
    channels
  )
}

/**
 * Splits a batch of model pixels (NHWC float in [0, 1], as `dataSync()` returns them) into 8-bit images.
 * Values outside [0, 1] are clamped and rounded, so a slightly overshooting decoder never wraps around.
 */
export function toRawImages(
  pixels: ArrayLike<number>,
  count: number,
  size: number,
  channels: 1 | 3
): RawImage[] {
  const per = size * size * channels
  if (pixels.length !== count * per)
    throw new Error(`expected ${count * per} pixel values for ${count} images, got ${pixels.length}`)
  return Array.from({ length: count }, (_, n) => {
    const data = new Uint8Array(per)
    for (let i = 0; i < per; i++) {
      const v = pixels[n * per + i]
      data[i] = v >= 1 ? 255 : v > 0 ? Math.round(v * 255) : 0
    }
    return { data, width: size, height: size, channels }
  })
}
