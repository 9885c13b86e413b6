import { describe, expect, it } from 'vitest'
import {
  framePositions,
  lerp,
  morphCodes,
  pingPong,
  pointOnPath,
  slerp
} from '../../src/engine/latent/interp'

const v = (...xs: number[]) => Float32Array.from(xs)
const norm = (a: Float32Array) => Math.hypot(...a)

describe('lerp and slerp', () => {
  it('lerp is the straight line', () => {
    expect([...lerp(v(1, 0), v(0, 1), 0.5)]).toEqual([0.5, 0.5])
    expect([...lerp(v(2, -4), v(4, 0), 0.25)]).toEqual([2.5, -3])
  })

  it('slerp follows the arc between orthogonal unit vectors', () => {
    const a = v(1, 0, 0)
    const b = v(0, 1, 0)
    const mid = slerp(a, b, 0.5)
    expect(mid[0]).toBeCloseTo(Math.SQRT1_2, 6)
    expect(mid[1]).toBeCloseTo(Math.SQRT1_2, 6)
    expect(mid[2]).toBe(0)
    // At t = 1/3 the angle is 30°: (cos 30°, sin 30°).
    const third = slerp(a, b, 1 / 3)
    expect(third[0]).toBeCloseTo(Math.cos(Math.PI / 6), 6)
    expect(third[1]).toBeCloseTo(Math.sin(Math.PI / 6), 6)
    // Unit norm all the way, where lerp dips to 1/√2.
    for (const t of [0.1, 0.3, 0.5, 0.7, 0.9]) expect(norm(slerp(a, b, t))).toBeCloseTo(1, 6)
    expect(norm(lerp(a, b, 0.5))).toBeCloseTo(Math.SQRT1_2, 6)
  })

  it('slerp weights the raw vectors, so unequal norms blend smoothly', () => {
    // Ω = 90°, t = 0.5: both weights are sin(45°)/sin(90°).
    const mid = slerp(v(2, 0), v(0, 4), 0.5)
    expect(mid[0]).toBeCloseTo(2 * Math.SQRT1_2, 6)
    expect(mid[1]).toBeCloseTo(4 * Math.SQRT1_2, 6)
  })

  it('slerp hits both ends exactly and falls back to lerp where the arc is undefined', () => {
    const a = v(0.3, -1.2, 2)
    const b = v(-0.7, 0.4, 1.1)
    expect([...slerp(a, b, 0)].map((x, i) => x - a[i]).every((d) => Math.abs(d) < 1e-6)).toBe(true)
    expect([...slerp(a, b, 1)].map((x, i) => x - b[i]).every((d) => Math.abs(d) < 1e-6)).toBe(true)
    // parallel, antiparallel and zero vectors
    expect([...slerp(v(1, 1), v(2, 2), 0.5)]).toEqual([...lerp(v(1, 1), v(2, 2), 0.5)])
    expect([...slerp(v(1, 0), v(-1, 0), 0.25)]).toEqual([0.5, 0])
    expect([...slerp(v(0, 0), v(2, 2), 0.5)]).toEqual([1, 1])
  })

  it('rejects codes of different lengths', () => {
    expect(() => lerp(v(1, 2), v(1), 0.5)).toThrow(/differ in length/)
    expect(() => slerp(v(1, 2), v(1), 0.5)).toThrow(/differ in length/)
  })
})

describe('morph paths', () => {
  it('spaces frames evenly with both ends included', () => {
    expect(framePositions(5)).toEqual([0, 0.25, 0.5, 0.75, 1])
    expect(() => framePositions(1)).toThrow(/at least 2 frames/)
  })

  it('passes through every keyframe, each leg the same share of the path', () => {
    const keys = [v(0, 0), v(10, 0), v(10, 10)]
    expect([...pointOnPath(keys, 0, 'lerp')]).toEqual([0, 0])
    expect([...pointOnPath(keys, 0.25, 'lerp')]).toEqual([5, 0])
    expect([...pointOnPath(keys, 0.5, 'lerp')]).toEqual([10, 0])
    expect([...pointOnPath(keys, 0.75, 'lerp')]).toEqual([10, 5])
    expect([...pointOnPath(keys, 1, 'lerp')]).toEqual([10, 10])
    // clamped outside [0, 1]
    expect([...pointOnPath(keys, 7, 'lerp')]).toEqual([10, 10])
  })

  it('ping-pong goes back without repeating either end', () => {
    expect(pingPong([1, 2, 3, 4])).toEqual([1, 2, 3, 4, 3, 2])
    expect(pingPong([1, 2])).toEqual([1, 2])
  })

  it('morphCodes gives frames codes from the first keyframe to the last, 2·frames − 2 with ping-pong', () => {
    const keys = [v(0, 1), v(1, 0)]
    const codes = morphCodes(keys, { frames: 24, interp: 'slerp' })
    expect(codes).toHaveLength(24)
    expect([...codes[0]]).toEqual([0, 1])
    expect(codes[23][0]).toBeCloseTo(1, 6)
    expect(codes[23][1]).toBeCloseTo(0, 6)
    const pp = morphCodes(keys, { frames: 24, interp: 'lerp', pingpong: true })
    expect(pp).toHaveLength(46)
    expect([...pp[24]]).toEqual([...pp[22]])
    expect(() => morphCodes([v(1)], { frames: 4, interp: 'lerp' })).toThrow(/2 keyframes/)
  })
})
