import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  applyAugment,
  augmentBatch,
  drawAugmentParams,
  identityParams,
  type AugmentParams
} from '../../src/engine/augment'
import { initBackend } from '../../src/main/backends/activate'
import { DEFAULT_AUGMENT, NO_AUGMENT, type AugmentOptions } from '../../src/shared/train-options'

beforeAll(async () => {
  // Registers the wasm backend (and our kernels) once; each block below then switches with setBackend.
  await initBackend('wasm')
})

/** An n×h×w×c batch whose value at (i, y, x, k) is f(i, y, x, k). */
function image(
  n: number,
  h: number,
  w: number,
  c: number,
  f: (i: number, y: number, x: number, k: number) => number
) {
  const v = new Float32Array(n * h * w * c)
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) v[((i * h + y) * w + x) * c + k] = f(i, y, x, k)
  return tf.tensor4d(v, [n, h, w, c])
}

/** Runs `fn` on a fresh input and returns the output's values, checking that nothing is left behind. */
function run(input: () => tf.Tensor4D, fn: (x: tf.Tensor4D) => tf.Tensor4D): Float32Array {
  const before = tf.memory().numTensors
  const x = input()
  const y = fn(x)
  const out = y.dataSync() as Float32Array
  tf.dispose([x, y])
  expect(tf.memory().numTensors).toBe(before)
  return out.slice()
}

const at = (v: Float32Array, h: number, w: number, c: number, i: number, y: number, x: number, k = 0) =>
  v[((i * h + y) * w + x) * c + k]

const params = (n: number, over: Partial<Record<keyof AugmentParams, number[]>>): AugmentParams => {
  const p = identityParams(n)
  for (const [k, v] of Object.entries(over))
    (p as unknown as Record<string, { set(a: number[]): void }>)[k].set(v)
  return p
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}

describe.each(['cpu', 'wasm'] as const)('augmentation on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend)
  })

  it('mirrors a horizontal gradient exactly, and only the images whose flip is drawn', () => {
    const w = 7
    const out = run(
      () => image(2, 3, w, 1, (_i, _y, x) => x / (w - 1)),
      (x) => applyAugment(x, params(2, { flip: [1, 0] }))
    )
    for (let y = 0; y < 3; y++)
      for (let x = 0; x < w; x++) {
        expect(at(out, 3, w, 1, 0, y, x)).toBe(Math.fround((w - 1 - x) / (w - 1)))
        expect(at(out, 3, w, 1, 1, y, x)).toBe(Math.fround(x / (w - 1)))
      }
  })

  it('shifts a square by whole pixels, pixel for pixel', () => {
    const s = 8
    const inSquare = (y: number, x: number) => y >= 2 && y <= 4 && x >= 2 && x <= 4
    const out = run(
      () => image(1, s, s, 1, (_i, y, x) => (inSquare(y, x) ? 1 : 0)),
      (x) => applyAugment(x, params(1, { dx: [2], dy: [-1] }))
    )
    for (let y = 0; y < s; y++)
      for (let x = 0; x < s; x++) expect(at(out, s, s, 1, 0, y, x)).toBe(inSquare(y + 1, x - 2) ? 1 : 0)
  })

  it('fills the strip a shift uncovers by mirroring the edge (… 1 0 | 0 1 …)', () => {
    const w = 6
    const out = run(
      () => image(1, 1, w, 1, (_i, _y, x) => x),
      (x) => applyAugment(x, params(1, { dx: [2] }))
    )
    expect(Array.from(out)).toEqual([1, 0, 0, 1, 2, 3])
    const left = run(
      () => image(1, 1, w, 1, (_i, _y, x) => x),
      (x) => applyAugment(x, params(1, { dx: [-3] }))
    )
    expect(Array.from(left)).toEqual([3, 4, 5, 5, 4, 3])
  })

  it('turns a horizontal bar into a vertical one at 90°, clockwise on screen', () => {
    const s = 9
    const out = run(
      () => image(1, s, s, 1, (_i, y) => (y === 2 ? 1 : 0)),
      (x) => applyAugment(x, params(1, { angle: [Math.PI / 2] }))
    )
    // The row 2 from the top becomes the column 2 from the right.
    for (let y = 0; y < s; y++)
      for (let x = 0; x < s; x++) expect(at(out, s, s, 1, 0, y, x)).toBeCloseTo(x === s - 1 - 2 ? 1 : 0, 5)
  })

  it('rotates a bar through the centre by 10° along the line of slope tan 10°', () => {
    const s = 33
    const c = 16
    const theta = (10 * Math.PI) / 180
    const out = run(
      () => image(1, s, s, 1, (_i, y) => (Math.abs(y - c) <= 1 ? 1 : 0)),
      (x) => applyAugment(x, params(1, { angle: [theta] }))
    )
    for (let x = c - 10; x <= c + 10; x++) {
      let mass = 0
      let moment = 0
      for (let y = 0; y < s; y++) {
        mass += at(out, s, s, 1, 0, y, x)
        moment += at(out, s, s, 1, 0, y, x) * y
      }
      expect(moment / mass).toBeCloseTo(c + (x - c) * Math.tan(theta), 1)
      // The bar keeps its thickness (3 rows, measured across a column: 3 / cos θ).
      expect(mass).toBeCloseTo(3 / Math.cos(theta), 1)
    }
  })

  it('zooms about the centre: a linear gradient stays linear, half as steep at scale 2', () => {
    const w = 9
    const c = 4
    const out = run(
      () => image(1, 2, w, 1, (_i, _y, x) => x),
      (x) => applyAugment(x, params(1, { scale: [2] }))
    )
    for (let x = 0; x < w; x++) expect(at(out, 2, w, 1, 0, 0, x)).toBeCloseTo(c + (x - c) / 2, 5)
  })

  it('changes contrast about each image’s mean, then brightness, and clips to [0, 1]', () => {
    const values = [0.1, 0.3, 0.5, 0.9]
    const out = run(
      () => image(2, 1, 4, 1, (_i, _y, x) => values[x]),
      (x) => applyAugment(x, params(2, { contrast: [1.5, 0.5], brightness: [0.1, -0.2] }))
    )
    const mean = 0.45
    const expected = [
      ...values.map((v) => Math.min(1, Math.max(0, (v - mean) * 1.5 + mean + 0.1))),
      ...values.map((v) => Math.min(1, Math.max(0, (v - mean) * 0.5 + mean - 0.2)))
    ]
    expect(maxDiff(out, expected)).toBeLessThan(1e-6)
    expect(out[3]).toBe(1)
  })

  it('jitters colour: saturation 0 gives the grey, and gains scale each channel', () => {
    const rgb = [0.8, 0.4, 0.2]
    const grey = 0.299 * 0.8 + 0.587 * 0.4 + 0.114 * 0.2
    const out = run(
      () => image(2, 1, 1, 3, (_i, _y, _x, k) => rgb[k]),
      (x) => applyAugment(x, params(2, { saturation: [0, 1], gains: [1, 1, 1, 1.1, 1, 0.5] }))
    )
    expect(maxDiff(out, [grey, grey, grey, 0.88, 0.4, 0.1])).toBeLessThan(1e-6)
  })

  it('is the identity when every transform is off, and colour jitter leaves grey images alone', () => {
    const make = () => image(3, 8, 8, 1, (i, y, x) => ((i * 64 + y * 8 + x) % 17) / 16)
    const ref = run(make, (x) => tf.clone(x))
    expect(Array.from(run(make, (x) => augmentBatch(x, NO_AUGMENT, 5)))).toEqual(Array.from(ref))
    const colourOnly = { ...NO_AUGMENT, color: 0.5 }
    expect(Array.from(run(make, (x) => augmentBatch(x, colourOnly, 5)))).toEqual(Array.from(ref))
  })

  it('gives the same batch for the same seed and a different one for another seed, without leaks', () => {
    const make = () => image(4, 16, 16, 3, (i, y, x, k) => ((i + y * 3 + x * 5 + k * 7) % 11) / 10)
    const a = run(make, (x) => augmentBatch(x, DEFAULT_AUGMENT, 42))
    const b = run(make, (x) => augmentBatch(x, DEFAULT_AUGMENT, 42))
    const d = run(make, (x) => augmentBatch(x, DEFAULT_AUGMENT, 43))
    expect(Array.from(b)).toEqual(Array.from(a))
    expect(maxDiff(a, d)).toBeGreaterThan(0.05)
    for (const v of a) expect(v >= 0 && v <= 1).toBe(true)
  })
})

describe('augmentation draws', () => {
  it('stay within the strengths, cover the whole-pixel shifts, and are the same for the same seed', () => {
    const opts: AugmentOptions = { ...DEFAULT_AUGMENT, shift: 0.125, rotate: 10, scale: 0.1 }
    const p = drawAugmentParams(400, 32, 32, opts, 9)
    expect(drawAugmentParams(400, 32, 32, opts, 9)).toEqual(p)
    expect(new Set(p.dx)).toEqual(new Set([-4, -3, -2, -1, 0, 1, 2, 3, 4]))
    expect(new Set(p.dy)).toEqual(new Set([-4, -3, -2, -1, 0, 1, 2, 3, 4]))
    const flips = p.flip.reduce((s, f) => s + f, 0)
    expect(flips).toBeGreaterThan(160)
    expect(flips).toBeLessThan(240)
    const within = (a: Float64Array, lo: number, hi: number) => a.every((v) => v >= lo && v <= hi)
    expect(within(p.angle, (-10 * Math.PI) / 180, (10 * Math.PI) / 180)).toBe(true)
    expect(Math.max(...p.angle)).toBeGreaterThan((9 * Math.PI) / 180)
    expect(within(p.scale, 0.9, 1.1)).toBe(true)
    expect(within(p.brightness, -0.1, 0.1)).toBe(true)
    expect(within(p.contrast, 0.9, 1.1)).toBe(true)
    expect(within(p.gains, 0.9, 1.1)).toBe(true)
  })

  it('do not depend on which other transforms are on', () => {
    const all = drawAugmentParams(50, 32, 32, DEFAULT_AUGMENT, 3)
    const flipOnly = drawAugmentParams(50, 32, 32, { ...NO_AUGMENT, flip: true }, 3)
    expect(flipOnly.flip).toEqual(all.flip)
    expect(Array.from(flipOnly.dx)).toEqual(new Array(50).fill(0))
    expect(Array.from(flipOnly.angle)).toEqual(new Array(50).fill(0))
  })

  it('differ from the denoising marks’ stream for the same batch seed', () => {
    // drawMarks uses Rng(seed) directly; augmentation salts it, so a flip is not tied to a mark's shape.
    const p = drawAugmentParams(64, 32, 32, DEFAULT_AUGMENT, 0)
    const q = drawAugmentParams(64, 32, 32, DEFAULT_AUGMENT, 1)
    expect(Array.from(p.dx)).not.toEqual(Array.from(q.dx))
  })
})

describe('augmentation across backends', () => {
  it('gives the same batch on cpu and wasm', async () => {
    const make = () => image(6, 16, 16, 3, (i, y, x, k) => Math.abs(Math.sin(i + y * 0.7 + x * 0.3 + k)))
    await tf.setBackend('cpu')
    const cpu = run(make, (x) => augmentBatch(x, DEFAULT_AUGMENT, 11))
    await tf.setBackend('wasm')
    const wasm = run(make, (x) => augmentBatch(x, DEFAULT_AUGMENT, 11))
    expect(maxDiff(cpu, wasm)).toBeLessThan(1e-5)
  })
})
