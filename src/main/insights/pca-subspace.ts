/**
 * PCA of many images by subspace iteration with Rayleigh–Ritz, in Float64, reading the images a few rows at a
 * time: memory is O((n + d)·l) besides the images themselves (l = components + oversampling), never n×d or d×d
 * floats. Each sweep multiplies a block of l directions by the centred covariance C = XcᵀXc, which costs 2·n·d·l
 * multiply-adds; it stops when every wanted component's residual ‖Cv − λv‖ is at most `tolerance`·λ₁, so on
 * small sets it reproduces the exact (Jacobi) answer to rounding, and on large ones it stops as soon as the
 * components are that accurate.
 */
import { symmetricEigen } from './eigen'
import { signed, type Pca } from './pca'
import { Rng } from '../ml/rng'

/** Rows of image values, read a block at a time (so big sets can stay as bytes). */
export interface RowSource {
  count: number
  dim: number
  /** Writes rows [start, end) into `out`, row-major, as Float64. */
  read(start: number, end: number, out: Float64Array): void
}

/** Pixel bytes (NHWC, one image a row) scaled to [0, 1], as the studio's caches hold them. */
export const byteRows = (pixels: Uint8Array, count: number, dim: number): RowSource => {
  if (pixels.length !== count * dim) throw new Error(`expected ${count}×${dim} bytes, got ${pixels.length}`)
  return {
    count,
    dim,
    read(start, end, out) {
      const src = pixels.subarray(start * dim, end * dim)
      for (let i = 0; i < src.length; i++) out[i] = src[i] / 255
    }
  }
}

export const float64Rows = (rows: Float64Array, count: number, dim: number): RowSource => {
  if (rows.length !== count * dim) throw new Error(`expected ${count}×${dim} values, got ${rows.length}`)
  return { count, dim, read: (start, end, out) => out.set(rows.subarray(start * dim, end * dim)) }
}

export interface SubspaceOptions {
  /** Extra directions iterated beside the wanted ones: more converge faster per sweep but cost more. */
  oversample?: number
  /** Relative residual ‖Cv − λv‖ / λ₁ every wanted component must reach. */
  tolerance?: number
  maxSweeps?: number
  /** Seeds the random start (the result does not depend on it beyond `tolerance`). */
  seed?: number
  /** Called after every sweep (progress for long fits). */
  onSweep?(sweep: number, residual: number): void
}

export interface SubspacePca extends Pca {
  sweeps: number
  /** The largest relative residual of the returned components. */
  residual: number
}

/** Eigenvalues this far below the largest are rounding noise (the same rule as fitPca). */
const RANK_TOLERANCE = 1e-12
/** Rows per block: four rows share each load of a direction's values in the inner loops. */
const BLOCK = 4

/** Orthonormalises the l columns of the d×l row-major matrix `a` in place (Gram–Schmidt, twice for accuracy). */
function orthonormalise(a: Float64Array, d: number, l: number, rng: Rng): void {
  const col = new Float64Array(d)
  for (let j = 0; j < l; j++) {
    let before = 0
    for (let t = 0; t < d; t++) {
      col[t] = a[t * l + j]
      before += col[t] * col[t]
    }
    for (let pass = 0; pass < 2; pass++)
      for (let i = 0; i < j; i++) {
        let dot = 0
        for (let t = 0; t < d; t++) dot += a[t * l + i] * col[t]
        for (let t = 0; t < d; t++) col[t] -= dot * a[t * l + i]
      }
    let norm = 0
    for (let t = 0; t < d; t++) norm += col[t] * col[t]
    norm = Math.sqrt(norm)
    // A column (nearly) inside the span of the previous ones, as when the data has fewer directions than l, is
    // only rounding noise after the projection: replace it by a random one and orthogonalise that instead.
    if (!(norm > 1e-10 * Math.sqrt(before))) {
      for (let t = 0; t < d; t++) a[t * l + j] = gaussian(rng)
      j--
      continue
    }
    for (let t = 0; t < d; t++) a[t * l + j] = col[t] / norm
  }
}

function gaussian(rng: Rng): number {
  const u = 1 - rng.next()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next())
}

/**
 * z = C·q for the d×l row-major q, over all rows of the source: per block of rows b (centred), y = b·q then
 * z += bᵀ·y. Also returns Σ(x − mean)² (the total variance) on the way.
 */
function covarianceTimes(
  src: RowSource,
  mean: Float64Array,
  q: Float64Array,
  l: number,
  z: Float64Array
): number {
  const d = src.dim
  const raw = new Float64Array(BLOCK * d)
  const b = new Float64Array(BLOCK * d)
  const y = new Float64Array(BLOCK * l)
  z.fill(0)
  let total = 0
  for (let start = 0; start < src.count; start += BLOCK) {
    const rows = Math.min(BLOCK, src.count - start)
    src.read(start, start + rows, raw)
    b.fill(0)
    for (let r = 0; r < rows; r++)
      for (let t = 0; t < d; t++) {
        const v = raw[r * d + t] - mean[t]
        b[r * d + t] = v
        total += v * v
      }
    y.fill(0)
    for (let t = 0; t < d; t++) {
      const s0 = b[t]
      const s1 = b[d + t]
      const s2 = b[2 * d + t]
      const s3 = b[3 * d + t]
      const o = t * l
      for (let j = 0; j < l; j++) {
        const v = q[o + j]
        y[j] += s0 * v
        y[l + j] += s1 * v
        y[2 * l + j] += s2 * v
        y[3 * l + j] += s3 * v
      }
    }
    for (let t = 0; t < d; t++) {
      const s0 = b[t]
      const s1 = b[d + t]
      const s2 = b[2 * d + t]
      const s3 = b[3 * d + t]
      const o = t * l
      for (let j = 0; j < l; j++)
        z[o + j] += s0 * y[j] + s1 * y[l + j] + s2 * y[2 * l + j] + s3 * y[3 * l + j]
    }
  }
  return total
}

/** out = a·u for the d×l row-major a and the l×l u given as rows (u[c] is column c of the product's factor). */
function times(a: Float64Array, d: number, l: number, u: Float64Array[], out: Float64Array): void {
  out.fill(0)
  for (let t = 0; t < d; t++)
    for (let c = 0; c < l; c++) {
      let s = 0
      for (let i = 0; i < l; i++) s += a[t * l + i] * u[c][i]
      out[t * l + c] = s
    }
}

/**
 * The top `components` principal axes of every row of `src`, by subspace iteration (see the file comment).
 * Returns what fitPca returns (axes of XcᵀXc, strongest first, eigenvalues unnormalised), plus the sweeps taken
 * and the residual reached.
 */
export function fitPcaSubspace(
  src: RowSource,
  components: number,
  options: SubspaceOptions = {}
): SubspacePca {
  const { count: n, dim: d } = src
  if (n < 2) throw new Error('a PCA needs at least 2 images')
  if (!Number.isInteger(components) || components < 1) throw new Error('ask for at least 1 component')
  const tolerance = options.tolerance ?? 1e-10
  const maxSweeps = options.maxSweeps ?? 100
  // The centred data has rank at most n − 1: more directions than that cannot be found.
  const rank = Math.min(n - 1, d)
  const k = Math.min(components, rank)
  const l = Math.min(rank, k + (options.oversample ?? Math.max(10, k)))
  const rng = new Rng(options.seed ?? 1)

  const mean = new Float64Array(d)
  const block = new Float64Array(BLOCK * d)
  for (let start = 0; start < n; start += BLOCK) {
    const rows = Math.min(BLOCK, n - start)
    src.read(start, start + rows, block)
    for (let r = 0; r < rows; r++) for (let t = 0; t < d; t++) mean[t] += block[r * d + t]
  }
  for (let t = 0; t < d; t++) mean[t] /= n

  const q = Float64Array.from({ length: d * l }, () => gaussian(rng))
  orthonormalise(q, d, l, rng)
  const z = new Float64Array(d * l)
  const v = new Float64Array(d * l)
  const cv = new Float64Array(d * l)
  let values = new Float64Array(l)
  let totalVariance = 0
  let residual = Infinity
  let sweeps = 0
  while (sweeps < maxSweeps) {
    totalVariance = covarianceTimes(src, mean, q, l, z)
    sweeps++
    // Rayleigh–Ritz: the best approximations to C's eigenpairs within span(q).
    const h = new Float64Array(l * l)
    for (let i = 0; i < l; i++)
      for (let j = i; j < l; j++) {
        let s = 0
        for (let t = 0; t < d; t++) s += q[t * l + i] * z[t * l + j] + q[t * l + j] * z[t * l + i]
        h[i * l + j] = h[j * l + i] = s / 2
      }
    const eig = symmetricEigen(h, l)
    values = eig.values
    times(q, d, l, eig.vectors, v)
    times(z, d, l, eig.vectors, cv)
    const top = Math.max(values[0], Number.MIN_VALUE)
    residual = 0
    for (let c = 0; c < k; c++) {
      let r2 = 0
      for (let t = 0; t < d; t++) r2 += (cv[t * l + c] - values[c] * v[t * l + c]) ** 2
      residual = Math.max(residual, Math.sqrt(r2) / top)
    }
    options.onSweep?.(sweeps, residual)
    if (residual <= tolerance) break
    // The power step: the next basis spans C·(Ritz vectors), strongest first.
    q.set(cv)
    orthonormalise(q, d, l, rng)
  }

  let keep = 0
  while (keep < k && values[keep] > RANK_TOLERANCE * values[0] && values[0] > 0) keep++
  const componentsOut = Array.from({ length: keep }, (_, c) =>
    signed(Float64Array.from({ length: d }, (_, t) => v[t * l + c]))
  )
  return {
    dim: d,
    count: n,
    mean,
    components: componentsOut,
    eigenvalues: values.slice(0, keep),
    totalVariance,
    sweeps,
    residual
  }
}
