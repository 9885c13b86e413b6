/** Paths through latent space: lerp or slerp between keyframe codes, evenly spaced frames, ping-pong loops. */

export type Interp = 'lerp' | 'slerp'
export const INTERPS: readonly Interp[] = ['lerp', 'slerp']

export type Code = Float32Array

function check(a: Code, b: Code): void {
  if (a.length !== b.length) throw new Error(`codes differ in length (${a.length} and ${b.length})`)
}

/** (1 − t)·a + t·b. */
export function lerp(a: Code, b: Code, t: number): Code {
  check(a, b)
  const out = new Float32Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i] + (b[i] - a[i]) * t
  return out
}

/** Below this angle (radians) sin Ω is too small to divide by and slerp is lerp to float precision. */
const SMALL_ANGLE = 1e-4

/**
 * Spherical interpolation: moves along the great circle between a and b, with the angle Ω taken between their
 * directions and their raw vectors weighted by sin((1 − t)Ω)/sin Ω and sin(tΩ)/sin Ω. Unlike lerp it keeps the
 * norm from dipping half-way, which keeps a VAE's in-between codes where the prior puts its mass. Falls back to
 * lerp for (anti)parallel or zero vectors, where the great circle is not defined.
 */
export function slerp(a: Code, b: Code, t: number): Code {
  check(a, b)
  let dot = 0
  let na = 0
  let nb = 0
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i]
    na += a[i] * a[i]
    nb += b[i] * b[i]
  }
  if (na === 0 || nb === 0) return lerp(a, b, t)
  const cos = Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb)))
  const omega = Math.acos(cos)
  const sin = Math.sin(omega)
  if (omega < SMALL_ANGLE || Math.PI - omega < SMALL_ANGLE || sin === 0) return lerp(a, b, t)
  const wa = Math.sin((1 - t) * omega) / sin
  const wb = Math.sin(t * omega) / sin
  const out = new Float32Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i] + wb * b[i]
  return out
}

export const interpolate = (mode: Interp, a: Code, b: Code, t: number): Code =>
  mode === 'slerp' ? slerp(a, b, t) : lerp(a, b, t)

/**
 * The code at position u ∈ [0, 1] along a path through keyframes k0 → k1 → … (each leg the same length in u):
 * u = 0 is k0, u = 1 the last keyframe.
 */
export function pointOnPath(keys: readonly Code[], u: number, mode: Interp): Code {
  if (keys.length === 0) throw new Error('a path needs at least one keyframe')
  if (keys.length === 1) return Float32Array.from(keys[0])
  const legs = keys.length - 1
  const s = Math.min(1, Math.max(0, u)) * legs
  const leg = Math.min(legs - 1, Math.floor(s))
  return interpolate(mode, keys[leg], keys[leg + 1], s - leg)
}

/** `count` evenly spaced positions in [0, 1], both ends included. */
export function framePositions(count: number): number[] {
  if (!Number.isInteger(count) || count < 2) throw new Error('a morph needs at least 2 frames')
  return Array.from({ length: count }, (_, i) => i / (count - 1))
}

/** a, b, c, d → a, b, c, d, c, b: the way back without repeating either end, so a looping animation is seamless. */
export function pingPong<T>(items: readonly T[]): T[] {
  return [...items, ...items.slice(1, -1).reverse()]
}

export interface MorphPathOptions {
  frames: number
  interp: Interp
  pingpong?: boolean
}

/** The codes of every frame of a morph: `frames` of them from the first keyframe to the last (2·frames − 2 with ping-pong). */
export function morphCodes(
  keys: readonly Code[],
  { frames, interp, pingpong = false }: MorphPathOptions
): Code[] {
  if (keys.length < 2) throw new Error('a morph needs at least 2 keyframes')
  const codes = framePositions(frames).map((u) => pointOnPath(keys, u, interp))
  return pingpong ? pingPong(codes) : codes
}
