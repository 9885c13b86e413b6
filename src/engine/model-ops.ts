import * as tf from '@tensorflow/tfjs'
import type { Autoencoder } from './autoencoder'
import type { Code } from './latent/interp'
import { pixelsToTensor, toRawImages, type RawImage } from './pixels'

/** Images per forward pass: bounds peak memory on big models while keeping per-call overhead small. */
const BATCH = 32

/** Runs `fn` over [start, end) slices of `count` items, BATCH at a time. */
async function inBatches<T>(count: number, fn: (start: number, end: number) => Promise<T[]>): Promise<T[]> {
  const out: T[] = []
  for (let start = 0; start < count; start += BATCH)
    out.push(...(await fn(start, Math.min(count, start + BATCH))))
  return out
}

const splitCodes = (flat: Float32Array, n: number): Code[] => {
  const d = flat.length / n
  return Array.from({ length: n }, (_, i) => flat.slice(i * d, (i + 1) * d))
}

/** The codes of `count` images (the mean for a VAE): what morphs interpolate and the latent map projects. */
export async function encodeImages(model: Autoencoder, pixels: Uint8Array, count: number): Promise<Code[]> {
  const { size, channels } = model.config
  const per = size * size * channels
  return inBatches(count, async (start, end) => {
    const codes = tf.tidy(() =>
      model.encode(pixelsToTensor(pixels.subarray(start * per, end * per), end - start, size, channels))
    )
    try {
      return splitCodes((await codes.data()) as Float32Array, end - start)
    } finally {
      codes.dispose()
    }
  })
}

/** Decodes codes into 8-bit images at the model's size. */
export async function decodeCodes(model: Autoencoder, codes: readonly Code[]): Promise<RawImage[]> {
  const { size, channels, latent } = model.config
  return inBatches(codes.length, async (start, end) => {
    const flat = new Float32Array((end - start) * latent)
    codes.slice(start, end).forEach((c, i) => {
      if (c.length !== latent) throw new Error(`a code has ${c.length} values, the model expects ${latent}`)
      flat.set(c, i * latent)
    })
    const images = tf.tidy(() => model.decode(tf.tensor2d(flat, [end - start, latent])))
    try {
      return toRawImages(await images.data(), end - start, size, channels)
    } finally {
      images.dispose()
    }
  })
}

/** A float batch (already in [0, 1], e.g. a corrupted one) → 8-bit images. */
export async function tensorToImages(x: tf.Tensor4D): Promise<RawImage[]> {
  const [n, size, , channels] = x.shape
  return toRawImages(await x.data(), n, size, channels as 1 | 3)
}

/**
 * Reconstructs images: decode(encode(input)). `input` is what the encoder sees (noisy for a denoising run).
 */
export async function reconstructTensor(model: Autoencoder, input: tf.Tensor4D): Promise<RawImage[]> {
  const out = tf.tidy(() => model.decode(model.encode(input)))
  try {
    return await tensorToImages(out)
  } finally {
    out.dispose()
  }
}

/**
 * Mean squared error per value of decode(encode(x)) against x, pixels in [0, 1], over `count` uint8 images:
 * the reconstruction error eval, sweeps and the PCA baseline all report (clean inputs, whatever the model kind).
 */
export async function reconstructionMse(
  model: Autoencoder,
  pixels: Uint8Array,
  count: number
): Promise<number> {
  const { size, channels } = model.config
  const per = size * size * channels
  if (count === 0) throw new Error('no images to measure')
  const sums = await inBatches(count, async (start, end) => {
    const sq = tf.tidy(() => {
      const x = pixelsToTensor(pixels.subarray(start * per, end * per), end - start, size, channels)
      return tf.sum(tf.squaredDifference(model.decode(model.encode(x)), x))
    })
    try {
      return [(await sq.data())[0]]
    } finally {
      sq.dispose()
    }
  })
  return sums.reduce((a, b) => a + b, 0) / (count * per)
}
