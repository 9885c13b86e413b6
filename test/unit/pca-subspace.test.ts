// Subspace-iteration PCA against answers known in closed form (more than 300 images, so more than Insights'
// old fit sample) and against the exact Jacobi path.
import { describe, expect, it } from 'vitest'
import { byteRows, fitPcaSubspace, float64Rows } from '../../src/main/insights/pca-subspace'
import { workerOperator } from '../../src/main/insights/pca-workers'
import { fitPca, pcaReconstructionMse } from '../../src/main/insights/pca-exact'

/** Rows of the normalised Sylvester–Hadamard matrix of order n (a power of 2): n orthonormal vectors. */
function hadamard(n: number): Float64Array[] {
  let h = [[1]]
  while (h.length < n) h = [...h.map((r) => [...r, ...r]), ...h.map((r) => [...r, ...r.map((x) => -x)])]
  return h.map((r) => Float64Array.from(r, (x) => x / Math.sqrt(n)))
}

/**
 * n rows in d dimensions: 0.3 + Σⱼ σⱼ·a_{j+1}[i]·b_{j+1} with a (order n) and b (order d) Hadamard rows. The
 * coefficient columns a_{j+1} are zero-mean (orthogonal to the constant a₀) and orthonormal, so the centred XᵀX
 * has eigenvalues σⱼ² exactly, with eigenvectors b_{j+1}.
 */
function knownSpectrum(n: number, d: number, sigmas: number[]) {
  const a = hadamard(n)
  const b = hadamard(d)
  const rows = new Float64Array(n * d)
  for (let i = 0; i < n; i++)
    for (let t = 0; t < d; t++) {
      let v = 0.3
      sigmas.forEach((s, j) => (v += s * a[j + 1][i] * b[j + 1][t]))
      rows[i * d + t] = v
    }
  return { rows, axes: sigmas.map((_, j) => b[j + 1]) }
}

const maxAbs = (x: ArrayLike<number>, y: ArrayLike<number>) => {
  let m = 0
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]))
  return m
}
/** The same axis up to sign (PCA axes have no intrinsic sign). */
const axisError = (x: Float64Array, y: Float64Array) =>
  Math.min(
    maxAbs(x, y),
    maxAbs(
      x,
      y.map((v) => -v)
    )
  )

describe('subspace-iteration PCA', async () => {
  it('finds the exact eigenvalues and axes of 512 images with a known spectrum', async () => {
    const sigmas = Array.from({ length: 30 }, (_, j) => 4 * 0.85 ** j)
    const { rows, axes } = knownSpectrum(512, 64, sigmas)
    const pca = await fitPcaSubspace(float64Rows(rows, 512, 64), 8)
    expect(pca.count).toBe(512)
    expect(pca.components).toHaveLength(8)
    pca.eigenvalues.forEach((l, j) => expect(l / sigmas[j] ** 2).toBeCloseTo(1, 12))
    pca.components.forEach((v, j) => expect(axisError(v, axes[j])).toBeLessThan(1e-9))
    expect(pca.totalVariance).toBeCloseTo(
      sigmas.reduce((s, x) => s + x * x, 0),
      10
    )
    pca.mean.forEach((m) => expect(m).toBeCloseTo(0.3, 14))
    // The error of keeping k components is exactly the variance left in the others.
    const rest = sigmas.slice(8).reduce((s, x) => s + x * x, 0)
    expect(pcaReconstructionMse(pca, rows, 512, 8)).toBeCloseTo(rest / (512 * 64), 14)
    expect(pca.residual).toBeLessThanOrEqual(1e-10)
  })

  it('keeps iterating until a slowly falling spectrum has converged', async () => {
    // Neighbouring eigenvalues 2 % apart: each sweep gains little, so it takes many.
    const sigmas = Array.from({ length: 60 }, (_, j) => 1 / (1 + 0.02 * j))
    const { rows, axes } = knownSpectrum(1024, 128, sigmas)
    const sweeps: number[] = []
    const pca = await fitPcaSubspace(float64Rows(rows, 1024, 128), 4, { onSweep: (s) => sweeps.push(s) })
    expect(pca.sweeps).toBeGreaterThan(5)
    expect(sweeps).toEqual(Array.from({ length: pca.sweeps }, (_, i) => i + 1))
    pca.eigenvalues.forEach((l, j) => expect(l / sigmas[j] ** 2).toBeCloseTo(1, 10))
    pca.components.forEach((v, j) => expect(axisError(v, axes[j])).toBeLessThan(1e-6))
  })

  it('agrees with the exact Jacobi path on a small set, digit for digit', async () => {
    const n = 40
    const d = 100
    let s = 12345
    const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32
    // Smooth images (a few random waves each) plus a little noise: a realistic, slowly decaying spectrum.
    const rows = new Float64Array(n * d)
    for (let i = 0; i < n; i++) {
      const f = [rand(), rand(), rand(), rand()]
      for (let t = 0; t < d; t++) {
        const x = t % 10
        const y = Math.floor(t / 10)
        rows[i * d + t] =
          0.5 +
          0.2 * Math.sin(f[0] * x + f[1] * 3) * Math.cos(f[2] * y) +
          (0.05 * f[3] * (x - y)) / 10 +
          0.01 * rand()
      }
    }
    const exact = fitPca(rows, n, d, 12)
    const fast = await fitPcaSubspace(float64Rows(rows, n, d), 12)
    expect(fast.components).toHaveLength(12)
    fast.eigenvalues.forEach((l, j) => expect(l / exact.eigenvalues[j]).toBeCloseTo(1, 11))
    // The same sign convention, so the same vectors (not just the same axes).
    fast.components.forEach((v, j) => expect(maxAbs(v, exact.components[j])).toBeLessThan(1e-8))
    expect(fast.totalVariance / exact.totalVariance).toBeCloseTo(1, 13)
    expect(maxAbs(fast.mean, exact.mean)).toBeLessThan(1e-15)
    expect(pcaReconstructionMse(fast, rows, n, 12)).toBeCloseTo(pcaReconstructionMse(exact, rows, n, 12), 14)
  })

  it('stops at the rank of the data', async () => {
    const { rows } = knownSpectrum(8, 16, [3, 2, 1])
    const pca = await fitPcaSubspace(float64Rows(rows, 8, 16), 6)
    expect(Array.from(pca.eigenvalues, (l) => Math.round(l * 1e9) / 1e9)).toEqual([9, 4, 1])
  })

  it('reads bytes as values in [0, 1]', async () => {
    const n = 30
    const d = 24
    const bytes = Uint8Array.from({ length: n * d }, (_, i) => (i * 97 + (i % 7) * 31) & 255)
    const a = await fitPcaSubspace(byteRows(bytes, n, d), 5)
    const b = await fitPcaSubspace(
      float64Rows(
        Float64Array.from(bytes, (x) => x / 255),
        n,
        d
      ),
      5
    )
    a.eigenvalues.forEach((l, j) => expect(l / b.eigenvalues[j]).toBeCloseTo(1, 12))
  })

  it('gives the same answer with the passes split across worker threads', async () => {
    const { rows } = knownSpectrum(
      512,
      64,
      Array.from({ length: 30 }, (_, j) => 4 * 0.85 ** j)
    )
    const data = float64Rows(rows, 512, 64)
    const one = await fitPcaSubspace(data, 8)
    const operator = workerOperator(data, 3)
    const split = await fitPcaSubspace(data, 8, { operator }).finally(() => operator.close())
    split.eigenvalues.forEach((l, j) => expect(l / one.eigenvalues[j]).toBeCloseTo(1, 12))
    // Hadamard axes have all entries equally large, so the sign convention may pick either sign.
    split.components.forEach((v, j) => expect(axisError(v, one.components[j])).toBeLessThan(1e-10))
    expect(split.totalVariance / one.totalVariance).toBeCloseTo(1, 13)
  })

  it('says plainly what it cannot do', async () => {
    await expect(fitPcaSubspace(float64Rows(new Float64Array(4), 1, 4), 2)).rejects.toThrow(
      'at least 2 images'
    )
    await expect(fitPcaSubspace(float64Rows(new Float64Array(8), 2, 4), 0)).rejects.toThrow(
      'at least 1 component'
    )
    expect(() => byteRows(new Uint8Array(5), 2, 4)).toThrow('expected 2×4 bytes, got 5')
  })
})
