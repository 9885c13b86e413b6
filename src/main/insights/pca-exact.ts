/**
 * Principal component analysis of images, exact: the eigen-decomposition of the smaller of the Gram matrix X Xᵀ
 * (n×n, when there are fewer images than pixel values, the usual case) and XᵀX (d×d), in Float64.
 */
import { symmetricEigen } from './eigen'

export interface Pca {
  /** Pixel values per image. */
  dim: number
  /** Images the PCA was fitted on. */
  count: number
  mean: Float64Array
  /** Unit principal axes, strongest first; only those with a non-zero eigenvalue. */
  components: Float64Array[]
  /** Eigenvalues of XᵀX (centred), one per component: the squared error the component removes on the fit set. */
  eigenvalues: Float64Array
  /** Sum of all eigenvalues: the fit set's total squared deviation from the mean. */
  totalVariance: number
}

/** Eigenvalues this far below the largest are rounding noise, not directions in the data. */
const RANK_TOLERANCE = 1e-12

/** `count` rows of `dim` values (flat, row-major) centred on their mean. */
function centre(rows: Float64Array, count: number, dim: number): { x: Float64Array; mean: Float64Array } {
  const mean = new Float64Array(dim)
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j] += rows[i * dim + j]
  for (let j = 0; j < dim; j++) mean[j] /= count
  const x = new Float64Array(count * dim)
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) x[i * dim + j] = rows[i * dim + j] - mean[j]
  return { x, mean }
}

const dotRows = (a: Float64Array, ai: number, b: Float64Array, bi: number, dim: number) => {
  let s = 0
  for (let j = 0; j < dim; j++) s += a[ai + j] * b[bi + j]
  return s
}

/**
 * Fits a PCA on `count` images of `dim` values each (any scale; the studio passes pixels in [0, 1]), keeping at
 * most `maxComponents` axes.
 */
export function fitPca(rows: Float64Array, count: number, dim: number, maxComponents = Infinity): Pca {
  if (count < 2) throw new Error('a PCA needs at least 2 images')
  if (rows.length !== count * dim) throw new Error(`expected ${count}×${dim} values, got ${rows.length}`)
  const { x, mean } = centre(rows, count, dim)
  let values: Float64Array
  let axes: Float64Array[]
  if (count <= dim) {
    // Gram route: if X Xᵀ u = λu then XᵀX (Xᵀu) = λ(Xᵀu) and |Xᵀu|² = λ, so v = Xᵀu / √λ is a unit axis.
    const g = new Float64Array(count * count)
    for (let i = 0; i < count; i++)
      for (let k = i; k < count; k++)
        g[i * count + k] = g[k * count + i] = dotRows(x, i * dim, x, k * dim, dim)
    const eig = symmetricEigen(g, count)
    values = eig.values
    axes = eig.vectors.map((u, c) => {
      const v = new Float64Array(dim)
      const scale = 1 / Math.sqrt(Math.max(values[c], Number.MIN_VALUE))
      for (let i = 0; i < count; i++)
        if (u[i] !== 0) for (let j = 0; j < dim; j++) v[j] += u[i] * x[i * dim + j]
      for (let j = 0; j < dim; j++) v[j] *= scale
      return v
    })
  } else {
    const c = new Float64Array(dim * dim)
    for (let i = 0; i < count; i++)
      for (let a = 0; a < dim; a++) {
        const xa = x[i * dim + a]
        for (let b = a; b < dim; b++) c[a * dim + b] += xa * x[i * dim + b]
      }
    for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) c[a * dim + b] = c[b * dim + a]
    const eig = symmetricEigen(c, dim)
    values = eig.values
    axes = eig.vectors
  }
  const totalVariance = values.reduce((s, l) => s + Math.max(l, 0), 0)
  const top = values[0] ?? 0
  let rank = 0
  while (rank < values.length && values[rank] > RANK_TOLERANCE * top && top > 0) rank++
  const keep = Math.min(rank, maxComponents)
  return {
    dim,
    count,
    mean,
    components: axes.slice(0, keep).map(signed),
    eigenvalues: values.slice(0, keep),
    totalVariance
  }
}

/** A sign convention so the same data always gives the same pictures: the largest entry is positive. */
export function signed(v: Float64Array): Float64Array {
  let big = 0
  for (let j = 1; j < v.length; j++) if (Math.abs(v[j]) > Math.abs(v[big])) big = j
  return v[big] < 0 ? v.map((x) => -x) : v
}

/**
 * Mean squared error (per value) of reconstructing `count` rows from the mean and the first `k` components:
 * x̂ = mean + Σᵢ ((x − mean)·vᵢ) vᵢ. Unclamped, so it is the linear model's exact error.
 */
export function pcaReconstructionMse(pca: Pca, rows: Float64Array, count: number, k: number): number {
  if (k > pca.components.length)
    throw new Error(`the PCA has ${pca.components.length} components, ${k} were asked for`)
  const { dim, mean } = pca
  const axes = pca.components.slice(0, k)
  const r = new Float64Array(dim)
  let sum = 0
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) r[j] = rows[i * dim + j] - mean[j]
    // Modified Gram–Schmidt order: subtract each projection from the running residual (stabler than one pass).
    for (const v of axes) {
      const c = dotRows(r, 0, v, 0, dim)
      for (let j = 0; j < dim; j++) r[j] -= c * v[j]
    }
    for (let j = 0; j < dim; j++) sum += r[j] * r[j]
  }
  return sum / (count * dim)
}

/** Share of the fit set's variance the first `k` components hold. */
export const explainedVariance = (pca: Pca, k: number): number =>
  pca.totalVariance > 0 ? pca.eigenvalues.slice(0, k).reduce((s, l) => s + l, 0) / pca.totalVariance : 0
