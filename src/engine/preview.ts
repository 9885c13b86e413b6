import * as tf from '@tensorflow/tfjs'
import type { TrainConfig } from '../shared/config'
import { tensorToImages } from './model-ops'
import { corrupt } from './noise'
import { batchTensor, type RawImage } from './pixels'
import type { Autoencoder } from './autoencoder'

/** How many fixed images a preview grid shows. */
export const PREVIEW_COUNT = 8

export interface PreviewSource {
  pixels: Uint8Array
  count: number
  size: number
  channels: number
}

/**
 * The rows of a preview grid: the first `PREVIEW_COUNT` images of `source` (the validation split, so the same
 * images every epoch) above their reconstructions; denoising runs get the noisy inputs as a middle row.
 */
export async function previewRows(
  model: Autoencoder,
  source: PreviewSource,
  config: TrainConfig
): Promise<RawImage[][]> {
  const { size, channels } = source
  const n = Math.min(PREVIEW_COUNT, source.count)
  if (n === 0) throw new Error('No images to preview.')
  const indices = Array.from({ length: n }, (_, i) => i)
  const rows = tf.tidy(() => {
    const x = batchTensor(source.pixels, indices, size, channels)
    const input = config.model === 'denoising' ? corrupt(x, config.noise, config.seed) : x
    const out = model.decode(model.encode(input))
    return config.model === 'denoising' ? [x, input, out] : [x, out]
  })
  try {
    return await Promise.all(rows.map((r) => tensorToImages(r)))
  } finally {
    tf.dispose(rows)
  }
}
