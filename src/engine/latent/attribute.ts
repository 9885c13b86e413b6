/**
 * Latent vector arithmetic: an attribute ("smiling") is the mean code of images that have it minus the mean code
 * of images that don't; adding it with a strength to another image's code moves that image towards the trait.
 * Pure functions over plain arrays, so they are checked without a model.
 */
import type { Code } from './interp'

/** The element-wise mean of codes of one length. */
export function meanCode(codes: readonly Code[]): Code {
  if (codes.length === 0) throw new Error('a mean code needs at least one code')
  const d = codes[0].length
  // Summed in float64 so a few thousand codes lose no precision before the one rounding to float32.
  const sum = new Float64Array(d)
  for (const c of codes) {
    if (c.length !== d) throw new Error(`codes differ in length (${d} and ${c.length})`)
    for (let i = 0; i < d; i++) sum[i] += c[i]
  }
  return Float32Array.from(sum, (s) => s / codes.length)
}

/** mean(with) − mean(without). */
export function attributeVector(withCodes: readonly Code[], withoutCodes: readonly Code[]): Code {
  const a = meanCode(withCodes)
  const b = meanCode(withoutCodes)
  if (a.length !== b.length) throw new Error(`codes differ in length (${a.length} and ${b.length})`)
  return a.map((v, i) => v - b[i])
}

/** code + strength · vector. */
export function applyVector(code: Code, vector: Code, strength: number): Code {
  if (code.length !== vector.length)
    throw new Error(`the code has ${code.length} values, the vector ${vector.length}`)
  return code.map((v, i) => v + strength * vector[i])
}

/** The Euclidean length of a vector. */
export const norm = (vector: Code): number => Math.sqrt(vector.reduce((s, v) => s + v * v, 0))

/** `frames` strengths evenly spaced from 0 to `max`, both ends included. */
export function strengthSteps(max: number, frames: number): number[] {
  if (!Number.isInteger(frames) || frames < 2) throw new Error('a strength sweep needs at least 2 frames')
  // i = 0 gives exactly 0 (not −0 for a negative maximum).
  return Array.from({ length: frames }, (_, i) => (i === 0 ? 0 : (max * i) / (frames - 1)))
}
