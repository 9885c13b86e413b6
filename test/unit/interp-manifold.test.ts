import { describe, expect, it } from 'vitest'
import { normalQuantile, observedAxis, planeCodes, priorAxis } from '../../src/engine/latent/plane'

describe('manifold coordinates', () => {
  it('inverts the normal CDF at known points', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9)
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5)
    expect(normalQuantile(0.05)).toBeCloseTo(-1.644854, 5)
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5)
    expect(() => normalQuantile(1)).toThrow()
  })

  it('spans the prior from its 5th to 95th percentile, symmetric about 0', () => {
    const axis = priorAxis(5)
    expect(axis[0]).toBeCloseTo(-1.644854, 5)
    expect(axis[2]).toBeCloseTo(0, 9)
    expect(axis[4]).toBeCloseTo(1.644854, 5)
  })

  it('spans observed codes between their 5th and 95th percentiles', () => {
    const values = Array.from({ length: 101 }, (_, i) => i) // 0..100
    expect(observedAxis(values, 3)).toEqual([5, 50, 95])
  })

  it('lays the plane out row by row with the largest y on top', () => {
    const codes = planeCodes([0, 1], [10, 20])
    expect(codes.map((c) => [...c])).toEqual([
      [0, 20],
      [1, 20],
      [0, 10],
      [1, 10]
    ])
  })
})
