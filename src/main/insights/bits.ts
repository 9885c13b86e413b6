/** Compression accounting: what a code costs in bits, quantising codes, and PSNR. */

/** Bits per image for a code of `latent` float32 values, and at `bits` per dimension after quantising. */
export const codeBits = (latent: number, bits = 32) => latent * bits

/** PSNR in dB of a mean squared error on values in [0, 1]; Infinity for a perfect match. */
export const psnr = (mse: number) => (mse > 0 ? 10 * Math.log10(1 / mse) : Infinity)

/** Mean squared error between two equally long arrays of 8-bit pixels, on the [0, 1] scale. */
export function mse8(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`can't compare ${a.length} values with ${b.length}`)
  let s = 0
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2
  return s / (a.length * 255 * 255)
}

export interface Quantised {
  /** The codes after rounding each dimension to one of 2^bits levels and mapping back. */
  codes: Float32Array[]
  /** Per dimension: the range the levels span (sent once for the whole set, not per image). */
  min: Float64Array
  max: Float64Array
}

/**
 * Uniform scalar quantisation of each code dimension to 2^bits levels between that dimension's smallest and
 * largest value over the set, then back to floats: what a decoder would see after an 8-bit channel.
 */
export function quantiseCodes(codes: readonly ArrayLike<number>[], bits = 8): Quantised {
  if (codes.length === 0) throw new Error('no codes to quantise')
  const d = codes[0].length
  const levels = 2 ** bits - 1
  const min = new Float64Array(d).fill(Infinity)
  const max = new Float64Array(d).fill(-Infinity)
  for (const c of codes)
    for (let j = 0; j < d; j++) {
      min[j] = Math.min(min[j], c[j])
      max[j] = Math.max(max[j], c[j])
    }
  const out = codes.map((c) =>
    Float32Array.from({ length: d }, (_, j) => {
      const span = max[j] - min[j]
      if (span === 0) return min[j]
      return min[j] + (Math.round(((c[j] - min[j]) / span) * levels) / levels) * span
    })
  )
  return { codes: out, min, max }
}
