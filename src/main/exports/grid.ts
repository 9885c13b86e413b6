import type { RawImage } from './raw-image'

export interface GridOptions {
  /** Pixels between cells and around the edge. */
  gap?: number
  /** Grey level (0–255) of the gaps and of missing cells. */
  background?: number
}

export interface GridGeometry {
  rows: number
  columns: number
  cell: number
  gap: number
  width: number
  height: number
}

/** Width and height of a grid of square cells with `gap` pixels between them and around the edge. */
export function gridGeometry(rows: number, columns: number, cell: number, gap: number): GridGeometry {
  return {
    rows,
    columns,
    cell,
    gap,
    width: columns * cell + (columns + 1) * gap,
    height: rows * cell + (rows + 1) * gap
  }
}

/**
 * Lays equally sized square images out in rows (row r, column c at gap + c·(cell + gap), gap + r·(cell + gap)).
 * Short rows are padded with background. Pure pixel copying, so a test can read cells back at known offsets.
 */
export function composeGrid(
  rows: readonly (readonly RawImage[])[],
  { gap = 2, background = 24 }: GridOptions = {}
) {
  const first = rows.flat()[0]
  if (!first) throw new Error('a grid needs at least one image')
  const { width: cell, channels } = first
  for (const img of rows.flat())
    if (
      img.width !== cell ||
      img.height !== cell ||
      img.channels !== channels ||
      img.data.length !== cell * cell * channels
    )
      throw new Error('every image in a grid must have the same size and channels')
  const columns = Math.max(...rows.map((r) => r.length))
  const geo = gridGeometry(rows.length, columns, cell, gap)
  const data = new Uint8Array(geo.width * geo.height * channels).fill(background)
  const rowBytes = cell * channels
  rows.forEach((row, r) =>
    row.forEach((img, c) => {
      const x0 = gap + c * (cell + gap)
      const y0 = gap + r * (cell + gap)
      for (let y = 0; y < cell; y++)
        data.set(img.data.subarray(y * rowBytes, (y + 1) * rowBytes), ((y0 + y) * geo.width + x0) * channels)
    })
  )
  const image: RawImage = { data, width: geo.width, height: geo.height, channels }
  return { image, geometry: geo }
}

/** Splits a flat list into rows of `columns` (the last may be shorter). */
export function chunk<T>(items: readonly T[], columns: number): T[][] {
  const rows: T[][] = []
  for (let i = 0; i < items.length; i += columns) rows.push(items.slice(i, i + columns))
  return rows
}

/** Columns for a near-square grid of `count` cells. */
export const squareColumns = (count: number) => Math.max(1, Math.ceil(Math.sqrt(count)))
