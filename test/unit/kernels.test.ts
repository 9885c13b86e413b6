import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../src/main/backends/activate'

beforeAll(async () => {
  await initBackend('wasm')
})

type Pad = 'same' | 'valid'

/**
 * Runs one of the convolution gradient kernels itself (tfjs exports no op for them; gradients call them through
 * the engine the same way), with `shape` the filterShape or inputShape attribute.
 */
const convGradient = (
  kernel: 'Conv2DBackpropFilter' | 'Conv2DBackpropInput',
  inputs: tf.NamedTensorMap,
  shape: { filterShape: number[] } | { inputShape: number[] },
  stride: number,
  pad: Pad
) =>
  tf.engine().runKernel(kernel, inputs, {
    strides: [stride, stride],
    pad,
    dataFormat: 'NHWC',
    dimRoundingMode: undefined,
    ...shape
  } as unknown as tf.NamedAttrMap) as tf.Tensor4D

const backpropFilter = (x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], stride: number, pad: Pad) =>
  convGradient('Conv2DBackpropFilter', { x, dy }, { filterShape }, stride, pad)

/** Runs `fn` on the given backend with copies of `inputs`, returning the results as plain arrays. */
async function on(
  backend: 'wasm' | 'cpu',
  inputs: Float32Array[],
  shapes: number[][],
  fn: (...t: tf.Tensor[]) => tf.Tensor[]
) {
  await tf.setBackend(backend)
  const ts = inputs.map((v, i) => tf.tensor(v, shapes[i]))
  const outs = fn(...ts)
  const vals = outs.map((o) => Array.from(o.dataSync()))
  tf.dispose([...ts, ...outs])
  return vals
}

const random = (shape: number[], seed: number) => {
  let s = seed
  const n = shape.reduce((a, b) => a * b, 1)
  // A small LCG: the fixtures are the same on every run and every backend.
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1)
}

const maxDiff = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length)
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0)
}

async function compare(shapes: number[][], fn: (...t: tf.Tensor[]) => tf.Tensor[]) {
  const inputs = shapes.map((s, i) => random(s, 17 + i))
  const wasm = await on('wasm', inputs, shapes, fn)
  const cpu = await on('cpu', inputs, shapes, fn)
  await tf.setBackend('wasm')
  return wasm.map((w, i) => {
    const scale = Math.max(1, ...cpu[i].map(Math.abs))
    return maxDiff(w, cpu[i]) / scale
  })
}

// [N, H, W, Ci], [KH, KW, Ci, Co], stride, padding
const CASES: [number[], number[], number, Pad][] = [
  [[2, 9, 9, 3], [3, 3, 3, 4], 2, 'same'],
  [[1, 8, 8, 3], [3, 3, 3, 4], 2, 'same'],
  [[1, 16, 16, 1], [3, 3, 1, 8], 2, 'same'],
  [[3, 7, 6, 2], [3, 3, 2, 5], 1, 'valid'],
  [[2, 9, 9, 3], [3, 3, 3, 4], 2, 'valid'],
  [[2, 10, 10, 2], [3, 3, 2, 3], 2, 'valid'],
  [[1, 5, 7, 4], [3, 3, 4, 2], 1, 'same'],
  [[4, 11, 13, 6], [5, 5, 6, 7], 2, 'same'],
  [[2, 12, 12, 8], [1, 1, 8, 4], 1, 'valid'],
  [[2, 15, 15, 5], [2, 3, 5, 3], 3, 'same'],
  [[2, 15, 16, 5], [3, 3, 5, 3], 3, 'same'],
  [[3, 13, 11, 4], [3, 2, 4, 3], 2, 'valid'],
  [[1, 6, 6, 32], [3, 3, 32, 1], 2, 'same']
]

const backpropInput = (
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: number[],
  stride: number,
  pad: Pad
) => convGradient('Conv2DBackpropInput', { dy, filter }, { inputShape }, stride, pad)

const outShape = ([n, h, w]: number[], [kh, kw, , co]: number[], stride: number, pad: Pad) => {
  const out = (size: number, k: number) =>
    pad === 'same' ? Math.ceil(size / stride) : Math.floor((size - k) / stride) + 1
  return [n, out(h, kh), out(w, kw), co]
}

describe('Conv2DBackpropInput on wasm (phase-split on XNNPACK)', () => {
  it.each(CASES)('matches the cpu backend: x %j, filter %j, stride %i, %s', async (xs, fs, stride, pad) => {
    const [diff] = await compare([outShape(xs, fs, stride, pad), fs], (dy, f) => [
      backpropInput(dy as tf.Tensor4D, f as tf.Tensor4D, xs, stride, pad)
    ])
    expect(diff).toBeLessThan(1e-5)
  })

  it('the decoder shapes of the benchmark network match cpu', async () => {
    for (const [dys, fs, xs] of [
      [
        [4, 8, 8, 128],
        [3, 3, 64, 128],
        [4, 16, 16, 64]
      ],
      [
        [4, 32, 32, 32],
        [3, 3, 3, 32],
        [4, 64, 64, 3]
      ]
    ]) {
      const [diff] = await compare([dys, fs], (dy, f) => [
        backpropInput(dy as tf.Tensor4D, f as tf.Tensor4D, xs, 2, 'same')
      ])
      expect(diff).toBeLessThan(1e-5)
    }
  })

  it('falls back to the built-in kernel for unequal strides', async () => {
    const xs = [2, 9, 8, 3]
    const fs = [3, 3, 3, 4]
    const dyShape = [2, 5, 3, 4] // stride [2, 3], same
    const [diff] = await compare([dyShape, fs], (dy, f) => [
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, {
        strides: [2, 3],
        pad: 'same',
        dataFormat: 'NHWC',
        inputShape: xs
      } as unknown as tf.NamedAttrMap) as tf.Tensor
    ])
    expect(diff).toBeLessThan(1e-5)
  })
})

describe('Conv2DBackpropFilter on wasm', () => {
  it('is registered', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined()
  })

  it.each(CASES)('matches the cpu backend: x %j, filter %j, stride %i, %s', async (xs, fs, stride, pad) => {
    const [n, h, w] = xs
    const out = (size: number, k: number) =>
      pad === 'same' ? Math.ceil(size / stride) : Math.floor((size - k) / stride) + 1
    const dyShape = [n, out(h, fs[0]), out(w, fs[1]), fs[3]]
    const [diff] = await compare([xs, dyShape], (x, dy) => [
      backpropFilter(x as tf.Tensor4D, dy as tf.Tensor4D, fs, stride, pad)
    ])
    expect(diff).toBeLessThan(1e-5)
  })

  // wasm's own forward Conv2D disagrees with cpu for non-square filters with 'same' padding (an upstream bug, not
  // in a kernel of ours; every model here uses 3×3), so the end-to-end check leaves those out.
  const squareOrValid = CASES.filter(([, f, , pad]) => f[0] === f[1] || pad === 'valid')

  it.each(squareOrValid)(
    'full conv2d gradients match cpu: x %j, filter %j, stride %i, %s',
    async (xs, fs, stride, pad) => {
      const diffs = await compare([xs, fs], (x, f) => {
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)))
        )([x, f])
        return g
      })
      for (const d of diffs) expect(d).toBeLessThan(1e-5)
    }
  )

  it('conv2dTranspose (the decoder layer) gradients match cpu', async () => {
    const diffs = await compare(
      [
        [2, 4, 4, 8],
        [3, 3, 5, 8]
      ],
      (x, f) =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 8, 8, 5], 2, 'same')))
        )([x, f])
    )
    for (const d of diffs) expect(d).toBeLessThan(1e-5)
  })

  it('leaves no tensors behind', () => {
    const x = tf.randomUniform([2, 8, 8, 3]) as tf.Tensor4D
    const dy = tf.randomUniform([2, 4, 4, 5]) as tf.Tensor4D
    const r0 = backpropFilter(x, dy, [3, 3, 3, 5], 2, 'same')
    r0.dispose()
    const before = tf.memory()
    for (let i = 0; i < 3; i++) backpropFilter(x, dy, [3, 3, 3, 5], 2, 'same').dispose()
    expect(tf.memory().numTensors).toBe(before.numTensors)
    expect(tf.memory().numBytes).toBe(before.numBytes)
    tf.dispose([x, dy])
  })
})

describe('BatchMatMul on wasm (transposes made explicit)', () => {
  it.each([
    [[7, 33], [7, 5], true, false],
    [[33, 7], [5, 7], false, true],
    [[5, 40], [3, 7], false, true], // a bigger than b: b is transposed
    [[7, 33], [5, 7], true, true],
    [[2, 6, 9], [2, 6, 4], true, false],
    [[3, 4, 6], [1, 5, 6], false, true],
    [[4, 6], [6, 3], false, false]
  ])('matches cpu: a %j, b %j, transposeA %s, transposeB %s', async (as, bs, ta, tb) => {
    // Shapes are given pre-transpose; fix [5, 40]·[3, 7] into a valid product.
    const b = as[0] === 5 ? [3, 40] : bs
    const [diff] = await compare([as, b], (x, y) => [tf.matMul(x, y, ta, tb)])
    expect(diff).toBeLessThan(1e-5)
  })

  it('dense layer gradients match cpu', async () => {
    const diffs = await compare(
      [
        [8, 300],
        [300, 16]
      ],
      (x, w) => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, b))))([x, w])
    )
    for (const d of diffs) expect(d).toBeLessThan(1e-5)
  })
})

describe('other gradients the models need on wasm', () => {
  it('other resize gradients (aligned corners, non-whole factors) still match cpu on batch 1', async () => {
    for (const [to, align] of [
      [[10, 14], true],
      [[7, 11], false],
      [[12, 21], false]
    ] as const) {
      const diffs = await compare([[1, 5, 7, 3]], (x) => [
        tf.grad((a: tf.Tensor) =>
          tf.sum(tf.square(tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [...to], align)))
        )(x)
      ])
      for (const d of diffs) expect(d).toBeLessThan(1e-5)
    }
  })

  it.each(['wasm', 'cpu'] as const)(
    'nearest-neighbour ×2 upsampling (the resize decoder) on %s: each input gets the sum of its 2×2 block',
    async (backend) => {
      // Checked against the definition: tfjs' own cpu ResizeNearestNeighborGrad reads dy at the wrong batch stride
      // (30 where the block sum is 78 on a 2×2×2×1 input); initBackend('cpu') registers a fixed one.
      await initBackend(backend)
      const [n, h, w, c] = [2, 5, 7, 3]
      const x = tf.zeros([n, h, w, c]) as tf.Tensor4D
      const dyValues = random([n, 2 * h, 2 * w, c], 5)
      const dy = tf.tensor4d(dyValues, [n, 2 * h, 2 * w, c])
      const g = tf.grad((a: tf.Tensor) =>
        tf.sum(tf.mul(tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [2 * h, 2 * w]), dy))
      )(x)
      const got = g.dataSync()
      const at = (b: number, y: number, xx: number, ch: number) =>
        dyValues[((b * 2 * h + y) * 2 * w + xx) * c + ch]
      let worst = 0
      for (let b = 0; b < n; b++)
        for (let i = 0; i < h; i++)
          for (let j = 0; j < w; j++)
            for (let ch = 0; ch < c; ch++) {
              const want =
                at(b, 2 * i, 2 * j, ch) +
                at(b, 2 * i, 2 * j + 1, ch) +
                at(b, 2 * i + 1, 2 * j, ch) +
                at(b, 2 * i + 1, 2 * j + 1, ch)
              worst = Math.max(worst, Math.abs(got[((b * h + i) * w + j) * c + ch] - want))
            }
      expect(worst).toBeLessThan(1e-5)
      tf.dispose([x, dy, g])
      await initBackend('wasm')
    }
  )
})
