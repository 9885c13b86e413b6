// PCA against answers known in closed form: data built from orthonormal directions with orthogonal, zero-mean
// coefficient columns has eigenvalues σⱼ² exactly, so the error at k components is the sum of the discarded ones.
import { describe, expect, it } from 'vitest'
import { symmetricEigen } from '../../src/main/insights/eigen'
import { explainedVariance, fitPca, pcaReconstructionMse } from '../../src/main/insights/pca-exact'

/** Rows of the normalised 8×8 Sylvester–Hadamard matrix: 8 orthonormal directions. */
function hadamard(n: number): Float64Array[] {
  let h = [[1]]
  while (h.length < n) h = [...h.map((r) => [...r, ...r]), ...h.map((r) => [...r, ...r.map((x) => -x)])]
  return h.map((r) => Float64Array.from(r, (x) => x / Math.sqrt(n)))
}

const SIGMAS = [3, 2, 1, 0.5]

/**
 * 8 rows in 8 dimensions: 0.5 + Σⱼ cᵢⱼ qⱼ with qⱼ orthonormal (Hadamard rows 1–4) and coefficient columns that
 * are zero-mean, mutually orthogonal and of norm σⱼ (Hadamard columns 1–4 scaled), so the centred XᵀX has
 * eigenvalues σⱼ² and its eigenvectors are the qⱼ.
 */
function knownData(dim: number, repeat = 1) {
  const q = hadamard(8)
  const n = 8 * repeat
  const rows = new Float64Array(n * dim)
  for (let r = 0; r < n; r++)
    for (let j = 0; j < dim; j++) {
      let v = 0.5
      SIGMAS.forEach((s, c) => {
        // column c+1 of the 8×8 Hadamard, entries ±1/√8 (unit norm), times σ
        const coef = q[c + 1][r % 8] * s
        v += coef * (j < 8 ? q[c + 1][j] : 0)
      })
      rows[r * dim + j] = v
    }
  return { rows, n }
}

describe('symmetric Jacobi eigen solver', () => {
  it('recovers a matrix built from known eigenpairs', () => {
    const q = hadamard(4)
    const lambdas = [5, -2, 1e-6, 0.25]
    const a = new Float64Array(16)
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) a[i * 4 + j] = lambdas.reduce((s, l, k) => s + l * q[k][i] * q[k][j], 0)
    const { values, vectors } = symmetricEigen(a, 4)
    expect(Array.from(values)).toEqual([5, 0.25, 1e-6, -2].map((x) => expect.closeTo(x, 12)))
    // Each vector satisfies A v = λ v.
    vectors.forEach((v, k) => {
      for (let i = 0; i < 4; i++) {
        const av = [0, 1, 2, 3].reduce((s, j) => s + a[i * 4 + j] * v[j], 0)
        expect(av).toBeCloseTo(values[k] * v[i], 12)
      }
    })
  })
})

describe('exact PCA', () => {
  // 8 rows in 16 dimensions go through the Gram matrix; the same rows twice in 8 dimensions through XᵀX.
  for (const [dim, repeat] of [
    [16, 1],
    [8, 2]
  ]) {
    it(`has eigenvalues σ² and error = Σ discarded σ² / (n·d) (${8 * repeat} rows, ${dim} values)`, () => {
      const { rows, n } = knownData(dim, repeat)
      const pca = fitPca(rows, n, dim)
      expect(pca.components.length).toBe(SIGMAS.length)
      expect(Array.from(pca.eigenvalues)).toEqual(SIGMAS.map((s) => expect.closeTo(repeat * s * s, 10)))
      expect(pca.totalVariance).toBeCloseTo(repeat * SIGMAS.reduce((s, x) => s + x * x, 0), 10)
      for (let k = 0; k <= SIGMAS.length; k++) {
        const discarded = repeat * SIGMAS.slice(k).reduce((s, x) => s + x * x, 0)
        expect(pcaReconstructionMse(pca, rows, n, k)).toBeCloseTo(discarded / (n * dim), 12)
      }
      expect(explainedVariance(pca, 1)).toBeCloseTo(9 / (9 + 4 + 1 + 0.25), 12)
    })
  }

  it('measures held-out rows by what lies outside the kept subspace', () => {
    const { rows, n } = knownData(8)
    const pca = fitPca(rows, n, 8)
    const q = hadamard(8)
    // mean + 0.3·q1 + 0.2·q3 + 0.1·q7: with k = 2 (q1, q2 kept) the residual is 0.2·q3 + 0.1·q7.
    const held = Float64Array.from(
      { length: 8 },
      (_, j) => 0.5 + 0.3 * q[1][j] + 0.2 * q[3][j] + 0.1 * q[7][j]
    )
    expect(pcaReconstructionMse(pca, held, 1, 2)).toBeCloseTo((0.04 + 0.01) / 8, 12)
    expect(pcaReconstructionMse(pca, held, 1, 4)).toBeCloseTo(0.01 / 8, 12)
  })

  it('agrees with the SVD of a random matrix: the residual at k is the sum of the eigenvalues after k', () => {
    let seed = 7
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647
    const n = 12
    const dim = 30
    const rows = Float64Array.from({ length: n * dim }, rand)
    const pca = fitPca(rows, n, dim)
    expect(pca.components.length).toBe(n - 1) // centring removes one dimension
    for (const v of pca.components) expect(v.reduce((s, x) => s + x * x, 0)).toBeCloseTo(1, 12)
    expect(pca.components[0].reduce((s, x, j) => s + x * pca.components[1][j], 0)).toBeCloseTo(0, 12)
    for (const k of [1, 3, 11]) {
      const tail = Array.from(pca.eigenvalues.slice(k)).reduce((s, l) => s + l, 0)
      expect(pcaReconstructionMse(pca, rows, n, k)).toBeCloseTo(tail / (n * dim), 12)
    }
  })

  it('refuses more components than the data has', () => {
    const { rows, n } = knownData(8)
    expect(() => pcaReconstructionMse(fitPca(rows, n, 8), rows, n, 5)).toThrow(/4 components, 5/)
  })
})
