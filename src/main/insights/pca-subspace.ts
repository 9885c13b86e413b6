/**
 * PCA of many images by subspace iteration with Rayleigh–Ritz, in Float64, reading the images a few rows at a
 * time: memory is O((n + d)·l) besides the images themselves (l = components + oversampling), never n×d or d×d
 * floats. Each sweep multiplies a block of l directions by the centred covariance C = XcᵀXc, which costs 2·n·d·l
 * multiply-adds; it stops when every wanted component's residual ‖Cv − λv‖ is at most `tolerance`·λ₁, so on
 * small sets it reproduces the exact (Jacobi) answer to rounding, and on large ones it stops as soon as the
 * components are that accurate.
 */
import { symmetricEigen } from './eigen'
import { signed, type Pca } from './pca-exact'
import { inThread, type CovarianceOperator, type PcaRows } from './pca-kernel'
import { Rng } from '../../engine/rng'

export { byteRows, float64Rows, type PcaRows } from './pca-kernel'

export interface SubspaceOptions {
  /** Directions added per pass over the data (each pass costs 2·n·d·block multiply-adds). */
  block?: number
  /** Basis size at which it restarts from the best approximations (bounds memory: 2·d·maxBasis floats). */
  maxBasis?: number
  /** Relative residual ‖Cv − λv‖ / λ₁ every wanted component must reach. */
  tolerance?: number
  maxSweeps?: number
  /** Seeds the random start (the result does not depend on it beyond `tolerance`). */
  seed?: number
  /** Runs the passes over the data (default: this thread); see pca-workers.ts for threads. Not closed here. */
  operator?: CovarianceOperator
  /** Called after every sweep (progress for long fits). */
  onSweep?(sweep: number, residual: number, captured: number): void
}

export interface SubspacePca extends Pca {
  sweeps: number
  /** The largest relative residual of the returned components. */
  residual: number
}

/** Eigenvalues this far below the largest are rounding noise (the same rule as fitPca). */
const RANK_TOLERANCE = 1e-12

/**
 * Makes each of `cols` orthonormal to `basis` and to the ones before it (Gram–Schmidt, twice for accuracy),
 * dropping those that lie (nearly) inside the span already: after the projection they are only rounding noise.
 */
function orthonormalise(cols: Float64Array[], basis: readonly Float64Array[]): Float64Array[] {
  const kept: Float64Array[] = []
  for (const c of cols) {
    const before = Math.sqrt(dot(c, c))
    for (let pass = 0; pass < 2; pass++)
      for (const b of [...basis, ...kept]) {
        const s = dot(b, c)
        for (let t = 0; t < c.length; t++) c[t] -= s * b[t]
      }
    const norm = Math.sqrt(dot(c, c))
    if (!(norm > 1e-10 * before)) continue
    for (let t = 0; t < c.length; t++) c[t] /= norm
    kept.push(c)
  }
  return kept
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0
  for (let t = 0; t < a.length; t++) s += a[t] * b[t]
  return s
}

/** Σᵢ wᵢ·colsᵢ */
function combine(cols: readonly Float64Array[], w: ArrayLike<number>): Float64Array {
  const out = new Float64Array(cols[0].length)
  cols.forEach((c, i) => {
    const wi = w[i]
    if (wi !== 0) for (let t = 0; t < c.length; t++) out[t] += wi * c[t]
  })
  return out
}

function gaussian(rng: Rng): number {
  const u = 1 - rng.next()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next())
}

/** C·v for each of the directions `cols` (one pass over the data), and Σ(x − mean)². */
async function covarianceTimes(
  op: CovarianceOperator,
  d: number,
  mean: Float64Array,
  cols: readonly Float64Array[]
) {
  const l = cols.length
  const q = new Float64Array(d * l)
  cols.forEach((c, j) => {
    for (let t = 0; t < d; t++) q[t * l + j] = c[t]
  })
  const { z, total } = await op.times(q, l, mean)
  const images = cols.map((_, j) => Float64Array.from({ length: d }, (_, t) => z[t * l + j]))
  return { images, total }
}

/**
 * The top `components` principal axes of every row of `src` (see the file comment). Returns what fitPca
 * returns (axes of XcᵀXc, strongest first, eigenvalues unnormalised), plus the sweeps taken and the residual.
 *
 * The method is block Davidson without preconditioning (block Lanczos with restarts): the basis grows each sweep
 * by the residual directions Cv − λv of the least converged wanted Ritz vectors, and Rayleigh–Ritz on the whole
 * basis (whose images under C every sweep has already computed) gives the next approximations. That converges
 * far faster per pass over the data than plain subspace iteration.
 */
export async function fitPcaSubspace(
  src: PcaRows,
  components: number,
  options: SubspaceOptions = {}
): Promise<SubspacePca> {
  const { count: n, dim: d } = src
  if (n < 2) throw new Error('a PCA needs at least 2 images')
  if (!Number.isInteger(components) || components < 1) throw new Error('ask for at least 1 component')
  const tolerance = options.tolerance ?? 1e-10
  const maxSweeps = options.maxSweeps ?? 200
  // The centred data has rank at most n − 1: more directions than that cannot be found.
  const rank = Math.min(n - 1, d)
  const k = Math.min(components, rank)
  const width = Math.min(rank, options.block ?? Math.max(4, Math.min(k, 12)))
  const maxBasis = Math.max(k + width, options.maxBasis ?? 3 * k + 2 * width)
  const rng = new Rng(options.seed ?? 1)

  const mean = new Float64Array(d)
  const { values: data, scale } = src
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) mean[t] += data[i * d + t]
  for (let t = 0; t < d; t++) mean[t] = (mean[t] * scale) / n
  const op = options.operator ?? inThread(src)

  let basis: Float64Array[] = []
  let images: Float64Array[] = []
  // Start from a few centred images (with a little noise, so equal images still give independent directions):
  // they lie mostly in the leading subspace already, unlike random vectors, which saves a sweep or two.
  let next = orthonormalise(
    Array.from({ length: width }, () => {
      const i = rng.int(n)
      const c = Float64Array.from(data.subarray(i * d, (i + 1) * d), (x, t) => x * scale - mean[t])
      const noise = 1e-3 * Math.sqrt(dot(c, c) / d) || 1
      return c.map((x) => x + noise * gaussian(rng))
    }),
    []
  )
  let hm: number[][] = []
  let values: Float64Array = new Float64Array(0)
  let ritz: Float64Array[] = []
  let totalVariance = 0
  let residual = Infinity
  let sweeps = 0
  while (sweeps < maxSweeps && next.length > 0) {
    const applied = await covarianceTimes(op, d, mean, next)
    totalVariance = applied.total
    sweeps++
    const added = basis.length
    basis.push(...next)
    images.push(...applied.images)
    // Rayleigh–Ritz on the whole basis: H = Kᵀ C K, of which only the new rows and columns need computing.
    const m = basis.length
    for (const row of hm) row.length = m
    for (let j = added; j < m; j++) hm.push(new Array<number>(m))
    for (let i = 0; i < m; i++)
      for (let j = Math.max(i, added); j < m; j++)
        hm[i][j] = hm[j][i] = (dot(basis[i], images[j]) + dot(basis[j], images[i])) / 2
    const h = Float64Array.from(hm.flat())
    const eig = symmetricEigen(h, m)
    values = eig.values
    const wanted = Math.min(m, k + width)
    ritz = eig.vectors.slice(0, wanted).map((u) => combine(basis, u))
    const ritzImages = eig.vectors.slice(0, wanted).map((u) => combine(images, u))
    const top = Math.max(values[0], Number.MIN_VALUE)
    const residuals = ritz.map((v, c) => {
      const r = ritzImages[c].map((cv, t) => cv - values[c] * v[t])
      return { r, size: Math.sqrt(dot(r, r)) / top }
    })
    residual = Math.max(...residuals.slice(0, k).map((r) => r.size))
    options.onSweep?.(
      sweeps,
      residual,
      values.slice(0, k).reduce((a, b) => a + b, 0)
    )
    if (residual <= tolerance) break
    // Expand by the residuals of the first unconverged Ritz vectors, strongest first (then those just past k).
    const candidates = residuals
      .map((r, c) => ({ ...r, c }))
      .filter((r) => r.size > tolerance)
      .slice(0, width)
      .map((r) => r.r)
    if (m + candidates.length > maxBasis) {
      // Restart from the best approximations so far; their images under C are known, so no pass is lost.
      basis = ritz.map((v) => Float64Array.from(v))
      images = ritzImages
      // Ritz vectors diagonalise H: their block of the new H is diag(θ).
      hm = ritz.map((_, i) => ritz.map((_, j) => (i === j ? values[i] : 0)))
    }
    next = orthonormalise(candidates, basis)
  }

  let keep = 0
  while (keep < k && values[keep] > RANK_TOLERANCE * values[0] && values[0] > 0) keep++
  return {
    dim: d,
    count: n,
    mean,
    components: ritz.slice(0, keep).map(signed),
    eigenvalues: values.slice(0, keep),
    totalVariance,
    sweeps,
    residual
  }
}
