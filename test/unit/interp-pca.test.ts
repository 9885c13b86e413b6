import { describe, expect, it } from 'vitest'
import { pca2 } from '../../src/engine/latent/pca-map'

/** A seeded generator so the point cloud is the same on every run. */
function rng(seed: number) {
  let s = seed >>> 0
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1
}

describe('pca2', () => {
  it('finds the axes of an elongated cloud and the share of variance along each', () => {
    const r = rng(7)
    // In 4-D: large spread along (1,1,0,0)/√2, smaller along (0,0,1,0), tiny noise elsewhere.
    const codes = Array.from({ length: 400 }, () => {
      const a = r() * 10
      const b = r() * 3
      const n = () => r() * 0.01
      return [5 + a / Math.SQRT2 + n(), -2 + a / Math.SQRT2 + n(), 1 + b + n(), n()]
    })
    const { axes, points, explained, mean } = pca2(codes)
    expect(Math.abs(axes[0][0])).toBeCloseTo(Math.SQRT1_2, 3)
    expect(Math.abs(axes[0][1])).toBeCloseTo(Math.SQRT1_2, 3)
    expect(Math.abs(axes[1][2])).toBeCloseTo(1, 3)
    expect(axes[0].reduce((s, x, j) => s + x * axes[1][j], 0)).toBeCloseTo(0, 8)
    expect(mean[0]).toBeCloseTo(5, 0)
    expect(points).toHaveLength(400)
    // Uniform on [-10, 10] has variance 100/3, on [-3, 3] 3: about 92% and 8% of the total.
    expect(explained[0]).toBeGreaterThan(0.88)
    expect(explained[0] + explained[1]).toBeGreaterThan(0.999)
    // Projections are centred.
    expect(points.reduce((s, p) => s + p[0], 0) / 400).toBeCloseTo(0, 6)
  })

  it('is deterministic and copes with constant or 1-D codes', () => {
    const codes = [
      [1, 2],
      [3, 1],
      [0, 0],
      [2, 5]
    ]
    expect(pca2(codes)).toEqual(pca2(codes))
    const flat = pca2([
      [1, 1],
      [1, 1]
    ])
    expect(flat.points).toEqual([
      [0, 0],
      [0, 0]
    ])
    expect(flat.explained).toEqual([0, 0])
    expect(pca2([[1], [3]]).points).toEqual([
      [-1, 0],
      [1, 0]
    ])
    expect(() => pca2([])).toThrow(/no codes/)
  })
})
