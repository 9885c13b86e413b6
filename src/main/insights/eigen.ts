/** Exact eigen-decomposition of a real symmetric matrix by the cyclic Jacobi method, in Float64. */

export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  values: Float64Array
  /** Eigenvectors as unit rows: vectors[i] belongs to values[i]. */
  vectors: Float64Array[]
}

const MAX_SWEEPS = 100

/**
 * Decomposes the n×n symmetric matrix `a` (row-major, left untouched). Each Jacobi rotation zeroes one
 * off-diagonal entry; sweeps repeat until the off-diagonal mass is negligible next to the diagonal, which Jacobi
 * reaches quadratically and to full relative accuracy, so small eigenvalues come out exact too.
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  if (a.length !== n * n) throw new Error(`expected an ${n}×${n} matrix, got ${a.length} values`)
  const m = Float64Array.from(a)
  // v holds the accumulated rotations; its columns become the eigenvectors.
  const v = new Float64Array(n * n)
  for (let i = 0; i < n; i++) v[i * n + i] = 1
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0
    let diag = 0
    for (let p = 0; p < n; p++) {
      diag += m[p * n + p] ** 2
      for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2
    }
    if (off <= 1e-30 * diag || off === 0) break
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]
        if (apq === 0) continue
        const app = m[p * n + p]
        const aqq = m[q * n + q]
        // The rotation angle that zeroes m[p][q], computed in the numerically stable form (tan of the smaller angle).
        const theta = (aqq - app) / (2 * apq)
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p]
          const mkq = m[k * n + q]
          m[k * n + p] = c * mkp - s * mkq
          m[k * n + q] = s * mkp + c * mkq
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k]
          const mqk = m[q * n + k]
          m[p * n + k] = c * mpk - s * mqk
          m[q * n + k] = s * mpk + c * mqk
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]
          const vkq = v[k * n + q]
          v[k * n + p] = c * vkp - s * vkq
          v[k * n + q] = s * vkp + c * vkq
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[j * n + j] - m[i * n + i])
  return {
    values: Float64Array.from(order, (i) => m[i * n + i]),
    vectors: order.map((i) => Float64Array.from({ length: n }, (_, k) => v[k * n + i]))
  }
}
