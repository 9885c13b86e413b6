import { describe, expect, it } from 'vitest'
import {
  alignTransform,
  apply,
  boxTransform,
  eyeCentres,
  eyeDistance,
  eyeTargets,
  fromPairs,
  invert,
  rollDegrees,
  compose,
  type Point,
  type Similarity
} from '../../src/main/imaging/faces/geometry'
import { splitByTrait } from '../../src/main/imaging/faces/traits'
import { EXPRESSIONS, type ExpressionScores } from '../../src/main/imaging/faces/models'
import { warp, type RawImage } from '../../src/main/imaging/faces/warp'

const close = (p: Point, q: Point, tol = 1e-9) => {
  expect(Math.abs(p.x - q.x)).toBeLessThan(tol)
  expect(Math.abs(p.y - q.y)).toBeLessThan(tol)
}

const turn = (scale: number, deg: number, tx = 0, ty = 0): Similarity => ({
  a: scale * Math.cos((deg * Math.PI) / 180),
  b: scale * Math.sin((deg * Math.PI) / 180),
  tx,
  ty
})

describe('similarity transforms', () => {
  it('fromPairs maps both points exactly, and invert/then undo and chain it', () => {
    const p1 = { x: 10, y: 20 }
    const p2 = { x: 50, y: 35 }
    const q1 = { x: 3, y: 4 }
    const q2 = { x: 3, y: 40 }
    const t = fromPairs(p1, p2, q1, q2)
    close(apply(t, p1), q1)
    close(apply(t, p2), q2)
    close(apply(invert(t), q2), p2)
    const u = turn(0.5, 30, 7, -2)
    close(apply(compose(t, u), p1), apply(u, apply(t, p1)))
    expect(() => fromPairs(p1, p1, q1, q2)).toThrow('coincide')
  })

  it('alignTransform puts the eyes level at 35 %/65 % across and 40 % down at margin 1', () => {
    const eyes = { left: { x: 100, y: 140 }, right: { x: 180, y: 110 } }
    const t = alignTransform(eyes, 64, 1)
    close(apply(t, eyes.left), { x: 0.35 * 64, y: 0.4 * 64 })
    close(apply(t, eyes.right), { x: 0.65 * 64, y: 0.4 * 64 })
  })

  it('a margin scales the framing about the centre', () => {
    const m = eyeTargets(1.5)
    expect(m.left.x).toBeCloseTo(0.4, 10)
    expect(m.right.x).toBeCloseTo(0.6, 10)
    expect(m.left.y).toBeCloseTo(0.5 - 0.1 / 1.5, 10)
  })

  it('eye centres are the means of landmarks 36–41 and 42–47, named by image side', () => {
    const pts = Array.from({ length: 68 }, (_, i) => ({ x: i, y: 2 * i }))
    const e = eyeCentres(pts)
    close(e.left, { x: 38.5, y: 77 })
    close(e.right, { x: 44.5, y: 89 })
    expect(eyeDistance(e)).toBeCloseTo(Math.hypot(6, 12), 10)
    expect(rollDegrees(e)).toBeCloseTo((Math.atan2(12, 6) * 180) / Math.PI, 10)
    expect(() => eyeCentres(pts.slice(0, 5))).toThrow('expected 68 landmarks')
  })

  it('boxTransform frames a square on the box centre, its side the longer one', () => {
    const t = boxTransform({ x: 100, y: 50, width: 80, height: 120 }, 112)
    close(apply(t, { x: 140, y: 110 }), { x: 56, y: 56 })
    close(apply(t, { x: 80, y: 50 }), { x: 0, y: 0 })
  })
})

describe('warp (sharp: Lanczos shrink, then a bicubic affine)', () => {
  /** Black image with white square dots (side `r`) centred on the given points. */
  function dots(width: number, height: number, at: Point[], r: number): RawImage {
    const data = new Uint8Array(width * height * 3)
    for (const p of at)
      for (let y = Math.round(p.y - r / 2); y < Math.round(p.y + r / 2); y++)
        for (let x = Math.round(p.x - r / 2); x < Math.round(p.x + r / 2); x++)
          data.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3)
    return { data, width, height, channels: 3 }
  }
  const centroid = (px: Uint8Array, size: number, ch: number, near: Point, radius: number) => {
    let sx = 0
    let sy = 0
    let s = 0
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        if (Math.hypot(x + 0.5 - near.x, y + 0.5 - near.y) > radius) continue
        const v = px[(y * size + x) * ch]
        sx += v * (x + 0.5)
        sy += v * (y + 0.5)
        s += v
      }
    return { x: sx / s, y: sy / s }
  }

  // Turned, shrunk a lot (Lanczos first), shrunk a little, enlarged: each dot lands where the transform says.
  it.each([
    [1, 0, 100],
    [0.3, 20, 64],
    [0.5, -35, 128],
    [2.5, 10, 200],
    [0.12, 5, 48],
    [1.3, 90, 100]
  ])('scale %f turned %f° into %i px: dots land within 0.25 px', async (scale, deg, size) => {
    // Two dots near 30 %/35 % and 70 %/60 % of the output, drawn (even sides, whole-pixel centres) exactly
    // where the inverse puts those points, rounded.
    const t = turn(scale, deg, 0, 0)
    const c = apply(t, { x: 700, y: 550 })
    t.tx = size / 2 - c.x
    t.ty = size / 2 - c.y
    const at = [
      { x: 0.3 * size, y: 0.35 * size },
      { x: 0.7 * size, y: 0.6 * size }
    ]
      .map((q) => apply(invert(t), q))
      .map((p) => ({ x: Math.round(p.x), y: Math.round(p.y) }))
    const targets = at.map((p) => apply(t, p))
    const r = 2 * Math.max(2, Math.round(2 / scale))
    const out = await warp(dots(1400, 1100, at, r), t, size, 3)
    for (const want of targets) {
      const got = centroid(out, size, 3, want, r * scale + 3)
      expect(Math.abs(got.x - want.x)).toBeLessThan(0.25)
      expect(Math.abs(got.y - want.y)).toBeLessThan(0.25)
    }
  })

  it('fills what lies beyond the source with white, and makes grey when asked', async () => {
    const src = dots(20, 20, [], 1)
    // The 20×20 black source lands in the top-left quarter of a 40×40 output.
    const out = await warp(src, { a: 1, b: 0, tx: 0, ty: 0 }, 40, 1)
    expect(out.length).toBe(40 * 40)
    expect(out[5 * 40 + 5]).toBe(0)
    expect(out[30 * 40 + 30]).toBe(255)
    expect(out[5 * 40 + 30]).toBe(255)
  })
})

describe('expression traits', () => {
  const scores = (happy: number): ExpressionScores =>
    ({ ...Object.fromEntries(EXPRESSIONS.map((e) => [e, 0])), happy }) as ExpressionScores
  const images = [0.9, 0.1, 0.55, 0.45, 0.5].map((h, i) => ({ id: i, expressions: scores(h) }))

  it('splits at one threshold, or leaves out the unsure between two', () => {
    expect(splitByTrait(images, 'happy')).toEqual({ with: [0, 2, 4], without: [1, 3] })
    expect(splitByTrait(images, 'happy', 0.7, 0.3)).toEqual({ with: [0], without: [1] })
    expect(splitByTrait(images, 'surprised')).toEqual({ with: [], without: [0, 1, 2, 3, 4] })
  })

  it('refuses unknown traits and impossible thresholds in plain words', () => {
    expect(() => splitByTrait(images, 'smug' as never)).toThrow(
      '"smug" is not an expression; use one of: neutral'
    )
    expect(() => splitByTrait(images, 'happy', 0.3, 0.6)).toThrow('0 < below ≤ threshold ≤ 1')
    expect(() => splitByTrait(images, 'happy', 0)).toThrow('thresholds must satisfy')
  })
})
