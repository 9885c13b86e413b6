import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import type { TrainConfig } from '../../shared/config'
import { batchTensor } from './loop'
import { corrupt } from './noise'
import type { Autoencoder } from './types'

/** How many fixed images a preview grid shows, and the smallest tile edge (small images are enlarged). */
export const PREVIEW_COUNT = 8
const MIN_TILE = 64

export interface PreviewSource {
  pixels: Uint8Array
  count: number
  size: number
  channels: number
}

/**
 * A PNG grid of the first `PREVIEW_COUNT` images of `source` (the validation split, so the same images every
 * epoch) above their reconstructions; denoising runs get the noisy inputs as a middle row.
 */
export async function renderPreview(
  model: Autoencoder,
  source: PreviewSource,
  config: TrainConfig
): Promise<Buffer> {
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
  const grid = Buffer.alloc(rows.length * n * size * size * channels)
  const rowBytes = n * size * channels
  for (let r = 0; r < rows.length; r++) {
    const values = await rows[r].data()
    for (let i = 0; i < n; i++)
      for (let y = 0; y < size; y++)
        for (let xx = 0; xx < size * channels; xx++) {
          const v = values[(i * size + y) * size * channels + xx]
          grid[(r * size + y) * rowBytes + i * size * channels + xx] = Math.round(
            Math.min(1, Math.max(0, v)) * 255
          )
        }
  }
  tf.dispose(rows)
  const scale = Math.max(1, Math.ceil(MIN_TILE / size))
  return (
    sharp(grid, { raw: { width: n * size, height: rows.length * size, channels: channels as 1 | 3 } })
      .resize(n * size * scale, rows.length * size * scale, { kernel: 'nearest' })
      // sharp writes sRGB by default; a greyscale dataset gets a greyscale PNG.
      .toColourspace(channels === 1 ? 'b-w' : 'srgb')
      .png()
      .toBuffer()
  )
}
