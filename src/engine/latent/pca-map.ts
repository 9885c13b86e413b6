/** A 2-D map of latent codes by principal component analysis, in plain JavaScript (codes are small). */

export interface Pca2 {
  /** n points, [x, y] each: the codes projected on the first two principal axes. */
  points: [number, number][]
  /** The two axes (unit vectors in code space). */
  axes: [Float64Array, Float64Array]
  /** Fraction of the total variance along each axis. */
  explained: [number, number]
  mean: Float64Array
}

const ITERATIONS = 200
const TOLERANCE = 1e-10

/** v ← Xᵀ(X v) without forming the d×d covariance (n·d per step instead of d²). */
function covTimes(x: Float64Array[], v: Float64Array): Float64Array {
  const out = new Float64Array(v.length)
  for (const row of x) {
    let dot = 0
    for (let j = 0; j < v.length; j++) dot += row[j] * v[j]
    for (let j = 0; j < v.length; j++) out[j] += dot * row[j]
  }
  return out
}

const norm = (v: Float64Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0))

/** The leading eigenvector of XᵀX orthogonal to `against`, by power iteration from a fixed start (deterministic). */
function leadingAxis(x: Float64Array[], against?: Float64Array): Float64Array {
  const d = x[0].length
  let v: Float64Array = Float64Array.from({ length: d }, (_, j) => 1 + j / d)
  const project = (u: Float64Array) => {
    if (!against) return u
    const dot = u.reduce((s, ui, j) => s + ui * against[j], 0)
    return u.map((ui, j) => ui - dot * against[j])
  }
  v = project(v)
  for (let it = 0; it < ITERATIONS; it++) {
    const next = project(covTimes(x, v))
    const n = norm(next)
    if (n === 0) return v.map(() => 0)
    next.forEach((_, j) => (next[j] /= n))
    const change = next.reduce((s, nj, j) => s + (nj - v[j]) ** 2, 0)
    v = next
    if (change < TOLERANCE) break
  }
  // A sign convention so the same codes always give the same picture: the largest component is positive.
  let big = 0
  v.forEach((vj, j) => (Math.abs(vj) > Math.abs(v[big]) ? (big = j) : 0))
  return v[big] < 0 ? v.map((vj) => -vj) : v
}

/** Projects n codes of dimension d onto their first two principal components. A 1-D code gets y = 0. */
export function pca2(codes: readonly ArrayLike<number>[]): Pca2 {
  if (codes.length === 0) throw new Error('no codes to map')
  const d = codes[0].length
  const mean = new Float64Array(d)
  for (const c of codes) for (let j = 0; j < d; j++) mean[j] += c[j] / codes.length
  const x = codes.map((c) => Float64Array.from({ length: d }, (_, j) => c[j] - mean[j]))
  const total = x.reduce((s, row) => s + row.reduce((r, v) => r + v * v, 0), 0)
  const a1 = leadingAxis(x)
  const a2 = d > 1 ? leadingAxis(x, a1) : new Float64Array(d)
  const dot = (row: Float64Array, a: Float64Array) => row.reduce((s, v, j) => s + v * a[j], 0)
  const points = x.map((row): [number, number] => [dot(row, a1), dot(row, a2)])
  const variance = (k: 0 | 1) => points.reduce((s, p) => s + p[k] * p[k], 0)
  return {
    points,
    axes: [a1, a2],
    explained: total > 0 ? [variance(0) / total, variance(1) / total] : [0, 0],
    mean
  }
}
