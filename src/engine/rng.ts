/**
 * A small seeded random number generator (xoshiro128**) whose whole state is four 32-bit words, so a checkpoint
 * can save it and a resumed run draws exactly the numbers the uninterrupted run would have drawn.
 */
export type RngState = [number, number, number, number]

/** splitmix32: spreads one seed over the four state words (xoshiro must not start from all zeros). */
function expandSeed(seed: number): RngState {
  let s = seed >>> 0
  const next = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  return [next(), next(), next(), next()]
}

export class Rng {
  private s: RngState

  constructor(seed: number) {
    this.s = expandSeed(seed)
  }

  static fromState(state: RngState): Rng {
    if (!Array.isArray(state) || state.length !== 4 || state.some((w) => !Number.isInteger(w)))
      throw new Error('Invalid random generator state in checkpoint.')
    const rng = new Rng(0)
    rng.s = state.map((w) => w >>> 0) as RngState
    return rng
  }

  /** A copy of the state, safe to serialise as JSON. */
  state(): RngState {
    return [...this.s]
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0
    const t = (s[1] << 9) >>> 0
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = rotl(s[3], 11)
    for (let i = 0; i < 4; i++) s[i] >>>= 0
    return result
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 2 ** 32
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** A seed for a TensorFlow.js random op (noise, VAE sampling): a non-negative 31-bit integer. */
  seed(): number {
    return this.nextUint32() >>> 1
  }

  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[] | Int32Array | Uint32Array): typeof items {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      const tmp = items[i]
      items[i] = items[j]
      items[j] = tmp
    }
    return items
  }
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0
