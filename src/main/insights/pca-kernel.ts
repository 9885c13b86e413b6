/**
 * The one heavy loop of the subspace PCA: C·q for a block of directions q, over rows [start, end) of the data.
 * It is written once, as JavaScript source, so worker threads can run exactly the same code (see pca-workers.ts)
 * without a bundler; this thread compiles the same source.
 */

/** Image rows as the PCA reads them: `values[i·dim + t]·scale` (bytes with scale 1/255, or floats with 1). */
export interface PcaRows {
  values: Uint8Array | Float64Array
  scale: number
  count: number
  dim: number
}

export function byteRows(pixels: Uint8Array, count: number, dim: number): PcaRows {
  if (pixels.length !== count * dim) throw new Error(`expected ${count}×${dim} bytes, got ${pixels.length}`)
  return { values: pixels, scale: 1 / 255, count, dim }
}

export function float64Rows(rows: Float64Array, count: number, dim: number): PcaRows {
  if (rows.length !== count * dim) throw new Error(`expected ${count}×${dim} values, got ${rows.length}`)
  return { values: rows, scale: 1, count, dim }
}

/**
 * z += Σᵣ bᵣ (bᵣ·q) for the centred rows bᵣ = values·scale − mean, with q and z d×l pixel-major (the inner loops
 * run over the l directions, four rows sharing each load of q); returns Σ bᵣ², the rows' total variance.
 */
export const KERNEL_SOURCE = String.raw`function covarianceKernel(values, scale, start, end, d, mean, q, l, z) {
  const R = 4
  const b = new Float64Array(R * d)
  const y = new Float64Array(R * l)
  let total = 0
  for (let i0 = start; i0 < end; i0 += R) {
    const rows = Math.min(R, end - i0)
    b.fill(0)
    for (let r = 0; r < rows; r++) {
      const o = (i0 + r) * d
      for (let t = 0; t < d; t++) {
        const v = values[o + t] * scale - mean[t]
        b[r * d + t] = v
        total += v * v
      }
    }
    y.fill(0)
    for (let t = 0; t < d; t++) {
      const s0 = b[t], s1 = b[d + t], s2 = b[2 * d + t], s3 = b[3 * d + t], o = t * l
      for (let j = 0; j < l; j++) {
        const v = q[o + j]
        y[j] += s0 * v
        y[l + j] += s1 * v
        y[2 * l + j] += s2 * v
        y[3 * l + j] += s3 * v
      }
    }
    for (let t = 0; t < d; t++) {
      const s0 = b[t], s1 = b[d + t], s2 = b[2 * d + t], s3 = b[3 * d + t], o = t * l
      for (let j = 0; j < l; j++) z[o + j] += s0 * y[j] + s1 * y[l + j] + s2 * y[2 * l + j] + s3 * y[3 * l + j]
    }
  }
  return total
}`

export type CovarianceKernel = (
  values: Uint8Array | Float64Array,
  scale: number,
  start: number,
  end: number,
  d: number,
  mean: Float64Array,
  q: Float64Array,
  l: number,
  z: Float64Array
) => number

// Compiled from the same source the workers run.
export const covarianceKernel = new Function(`return (${KERNEL_SOURCE})`)() as CovarianceKernel

/** Computes C·q (d×l pixel-major) and Σ(x − mean)² over all rows. */
export interface CovarianceOperator {
  times(q: Float64Array, l: number, mean: Float64Array): Promise<{ z: Float64Array; total: number }>
  close(): Promise<void>
}

/** The kernel on this thread, over every row. */
export const inThread = (rows: PcaRows): CovarianceOperator => ({
  async times(q, l, mean) {
    const z = new Float64Array(rows.dim * l)
    const total = covarianceKernel(rows.values, rows.scale, 0, rows.count, rows.dim, mean, q, l, z)
    return { z, total }
  },
  close: async () => {}
})
