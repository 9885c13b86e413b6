import { describe, expect, it } from 'vitest'
import { expandImageSets } from '../../src/main/cli/commands/vector'
import {
  applyVector,
  attributeVector,
  meanCode,
  norm,
  strengthSteps
} from '../../src/engine/latent/attribute'

const f = (...v: number[]) => Float32Array.from(v)

describe('latent vector arithmetic', () => {
  it('takes the element-wise mean of codes', () => {
    expect(Array.from(meanCode([f(1, 2), f(3, 6), f(5, 1)]))).toEqual([3, 3])
  })

  it('makes the attribute vector the mean with the trait minus the mean without', () => {
    const v = attributeVector([f(1, 0, 2), f(3, 2, 2)], [f(0, 1, 1), f(0, 3, 1), f(3, 2, 1)])
    expect(Array.from(v)).toEqual([1, -1, 1])
  })

  it('adds the vector at a strength, leaving the code alone at 0', () => {
    expect(Array.from(applyVector(f(1, 1), f(2, -4), 0.5))).toEqual([2, -1])
    expect(Array.from(applyVector(f(1, 1), f(2, -4), 0))).toEqual([1, 1])
  })

  it('measures the norm and spaces strengths from 0 to the maximum', () => {
    expect(norm(f(3, 4))).toBe(5)
    expect(strengthSteps(2, 5)).toEqual([0, 0.5, 1, 1.5, 2])
    expect(strengthSteps(-1, 2)).toEqual([0, -1])
  })

  it('refuses empty sets, mismatched lengths and too few frames in plain words', () => {
    expect(() => meanCode([])).toThrow(/at least one code/)
    expect(() => meanCode([f(1), f(1, 2)])).toThrow(/differ in length/)
    expect(() => applyVector(f(1), f(1, 2), 1)).toThrow(/1 values, the vector 2/)
    expect(() => strengthSteps(1, 1)).toThrow(/at least 2 frames/)
  })
})

describe('aestudio vector arguments', () => {
  it('reads several images after one flag, repeated flags, and a negative strength', () => {
    expect(
      expandImageSets(['3', '--with', 'a', 'b', '--without', 'c', '--apply', 'd', '--strength', '-1.5'])
    ).toEqual(['3', '--with', 'a', '--with', 'b', '--without', 'c', '--apply', 'd', '--strength=-1.5'])
    expect(expandImageSets(['--with', 'a,b', '--with', 'c', '--json'])).toEqual([
      '--with',
      'a,b',
      '--with',
      'c',
      '--json'
    ])
  })
})
