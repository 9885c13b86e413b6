import { resolve } from 'node:path'
import { composeGrid } from './grid'
import { scaleImage, type RawImage } from './raw-image'
import { pngDataUrl, writePng } from './write'

/** Smallest cell edge in grids: small images are enlarged by a whole factor (nearest) so pixels stay crisp. */
const MIN_CELL = 64

/** The rows with every image enlarged to the grid's cell edge (at least MIN_CELL), and that edge. */
export async function enlargeCells(rows: readonly (readonly RawImage[])[]) {
  const size = rows[0][0].width
  const cell = size * Math.max(1, Math.ceil(MIN_CELL / size))
  const scaled = await Promise.all(
    rows.map((r) => Promise.all(r.map((img) => scaleImage(img, cell, 'nearest'))))
  )
  return { rows: scaled, cell }
}

/**
 * Lays the enlarged cells out and returns a PNG data URL for the viewers, or writes the PNG to `out` and records
 * it with `record`, which may give an export id to return.
 */
export async function gridPng(
  rows: readonly (readonly RawImage[])[],
  cell: number,
  out: string | undefined,
  record: (file: string) => number | void
) {
  const { image, geometry } = composeGrid(rows)
  const base = { columns: geometry.columns, cell, width: geometry.width, height: geometry.height }
  if (!out) return { ...base, dataUrl: await pngDataUrl(image) }
  const file = resolve(out)
  await writePng(image, file)
  const exportId = record(file)
  return { ...base, file, ...(exportId !== undefined && { exportId }) }
}
