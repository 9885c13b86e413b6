import type { RawImage } from '../../engine/pixels'
import { composeGrid } from '../exports/grid'
import { rawToSharp } from '../exports/raw-image'

/** Small images are enlarged (nearest neighbour) to at least this tile edge, so a 16 px run's preview is legible. */
const MIN_TILE = 64

/** The epoch's preview rows (engine/preview.ts) as a PNG grid: originals above reconstructions, edge to edge. */
export async function previewPng(rows: RawImage[][]): Promise<Buffer> {
  const { image } = composeGrid(rows, { gap: 0 })
  const scale = Math.max(1, Math.ceil(MIN_TILE / rows[0][0].width))
  return (
    rawToSharp(image)
      .resize(image.width * scale, image.height * scale, { kernel: 'nearest' })
      // sharp writes sRGB by default; a greyscale dataset gets a greyscale PNG.
      .toColourspace(image.channels === 1 ? 'b-w' : 'srgb')
      .png()
      .toBuffer()
  )
}
