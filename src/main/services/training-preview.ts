import type { TrainConfig } from '../../shared/config'
import { previewRows, type PreviewSource } from '../../engine/preview'
import type { Autoencoder } from '../../engine/autoencoder'
import { composeGrid } from '../exports/grid'
import { rawToSharp } from '../exports/raw-image'

/** Small images are enlarged (nearest neighbour) to at least this tile edge, so a 16 px run's preview is legible. */
const MIN_TILE = 64

/** The epoch's preview grid as a PNG: originals above reconstructions, tiles edge to edge. */
export async function renderPreview(
  model: Autoencoder,
  source: PreviewSource,
  config: TrainConfig
): Promise<Buffer> {
  const { image } = composeGrid(await previewRows(model, source, config), { gap: 0 })
  const scale = Math.max(1, Math.ceil(MIN_TILE / source.size))
  return (
    rawToSharp(image)
      .resize(image.width * scale, image.height * scale, { kernel: 'nearest' })
      // sharp writes sRGB by default; a greyscale dataset gets a greyscale PNG.
      .toColourspace(image.channels === 1 ? 'b-w' : 'srgb')
      .png()
      .toBuffer()
  )
}
