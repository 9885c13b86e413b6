import { describe, expect, it } from 'vitest'
import { Rng } from '../../src/engine/rng'

describe('seeded rng', () => {
  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const a = new Rng(1)
    const b = new Rng(1)
    const c = new Rng(2)
    const sa = Array.from({ length: 50 }, () => a.nextUint32())
    expect(Array.from({ length: 50 }, () => b.nextUint32())).toEqual(sa)
    expect(Array.from({ length: 50 }, () => c.nextUint32())).not.toEqual(sa)
  })

  it('continues exactly where it left off from a saved state (through JSON)', () => {
    const a = new Rng(42)
    for (let i = 0; i < 17; i++) a.next()
    const saved = JSON.parse(JSON.stringify(a.state()))
    const expected = Array.from({ length: 20 }, () => a.next())
    const b = Rng.fromState(saved)
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(expected)
  })

  it('rejects a damaged state', () => {
    expect(() => Rng.fromState([1, 2, 3] as never)).toThrow(/Invalid random generator state/)
  })

  it('draws floats in [0, 1) roughly uniformly and ints in range', () => {
    const r = new Rng(3)
    const bins = new Array(10).fill(0)
    for (let i = 0; i < 20000; i++) {
      const v = r.next()
      expect(v).toBeGreaterThanOrEqual(0)
      expect(v).toBeLessThan(1)
      bins[Math.floor(v * 10)]++
    }
    for (const b of bins) expect(Math.abs(b - 2000)).toBeLessThan(200)
    for (let i = 0; i < 1000; i++) expect(r.int(7)).toBeLessThan(7)
    for (let i = 0; i < 1000; i++) {
      const s = r.seed()
      expect(Number.isInteger(s) && s >= 0 && s < 2 ** 31).toBe(true)
    }
  })

  it('shuffles into a permutation that depends on the seed', () => {
    const base = Array.from({ length: 100 }, (_, i) => i)
    const a = new Rng(5).shuffle([...base]) as number[]
    const b = new Rng(5).shuffle([...base]) as number[]
    const c = new Rng(6).shuffle([...base]) as number[]
    expect(a).toEqual(b)
    expect(a).not.toEqual(c)
    expect(a).not.toEqual(base)
    expect([...a].sort((x, y) => x - y)).toEqual(base)
  })
})
