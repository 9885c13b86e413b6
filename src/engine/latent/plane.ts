/** Coordinates for decoding a grid over a 2-D latent plane (Kingma & Welling's manifold figure). */

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error('quantile needs 0 < p < 1')
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239
  ]
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783
  ]
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
  const low = 0.02425
  const tail = (q: number) =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
  if (p < low) return tail(Math.sqrt(-2 * Math.log(p)))
  if (p > 1 - low) return -tail(Math.sqrt(-2 * Math.log(1 - p)))
  const q = p - 0.5
  const r = q * q
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  )
}

/** `steps` values spanning the prior N(0, 1) evenly in probability, from the 5th to the 95th percentile. */
export const priorAxis = (steps: number): number[] =>
  Array.from({ length: steps }, (_, i) => normalQuantile(0.05 + (0.9 * i) / (steps - 1)))

/** `steps` values from the 5th to the 95th percentile of observed values (a plain autoencoder has no prior). */
export function observedAxis(values: readonly number[], steps: number): number[] {
  if (values.length === 0) throw new Error('no codes to span')
  const sorted = [...values].sort((x, y) => x - y)
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))]
  const [lo, hi] = [at(0.05), at(0.95)]
  return Array.from({ length: steps }, (_, i) => lo + ((hi - lo) * i) / (steps - 1))
}

/** Codes of a steps×steps grid, row by row, top row at the largest y (so up is up). */
export function planeCodes(xs: readonly number[], ys: readonly number[]): Float32Array[] {
  return [...ys].reverse().flatMap((y) => xs.map((x) => Float32Array.of(x, y)))
}
