import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { jacobianPenalty, klDivergence, l1Activity, reconstruction } from '../../src/engine/losses'
import { corrupt } from '../../src/engine/noise'
import { buildModel } from '../../src/engine/models'
import { denseLayers } from '../../src/engine/models/dense'
import { parseTrainConfig } from '../../src/shared/config'
import { initBackend } from '../../src/main/backends/activate'

beforeAll(async () => {
  await initBackend('wasm')
})

const scalar = (t: tf.Scalar) => {
  const v = t.dataSync()[0]
  t.dispose()
  return v
}

describe('losses', () => {
  it('mse and bce are per-pixel means', () => {
    const p = tf.tensor([0.2, 0.9, 0.5, 0.1])
    const t = tf.tensor([0, 1, 1, 0])
    expect(scalar(reconstruction(p, t, 'mse'))).toBeCloseTo((0.04 + 0.01 + 0.25 + 0.01) / 4, 6)
    const bce = -(Math.log(0.8) + Math.log(0.9) + Math.log(0.5) + Math.log(0.9)) / 4
    expect(scalar(reconstruction(p, t, 'bce'))).toBeCloseTo(bce, 5)
    // Saturated predictions stay finite.
    expect(Number.isFinite(scalar(reconstruction(tf.tensor([0, 1]), tf.tensor([1, 0]), 'bce')))).toBe(true)
    tf.dispose([p, t])
  })

  it('VAE KL equals the analytic value for known μ and σ', () => {
    const mu = [
      [0.5, -1, 0],
      [2, 0.1, -0.3]
    ]
    const sigma = [
      [1, 0.5, 2],
      [0.2, 1.5, 1]
    ]
    let expected = 0
    for (let n = 0; n < 2; n++)
      for (let j = 0; j < 3; j++) {
        const s2 = sigma[n][j] ** 2
        expected += 0.5 * (s2 + mu[n][j] ** 2 - 1 - Math.log(s2))
      }
    expected /= 2
    const logVar = tf.tensor2d(sigma.map((r) => r.map((s) => Math.log(s * s))))
    expect(scalar(klDivergence(tf.tensor2d(mu), logVar))).toBeCloseTo(expected, 5)
    // The prior itself has no divergence.
    expect(scalar(klDivergence(tf.zeros([4, 3]), tf.zeros([4, 3])))).toBeCloseTo(0, 7)
  })

  it('L1 activity is Σ|code| per sample, averaged', () => {
    expect(
      scalar(
        l1Activity(
          tf.tensor2d([
            [1, -2],
            [0.5, 0]
          ])
        )
      )
    ).toBeCloseTo(1.75, 6)
  })

  it('contractive penalty equals a finite-difference Jacobian norm on a tiny model', () => {
    const config = parseTrainConfig({ model: 'contractive', size: 8, channels: 1, latent: 3, seed: 4 })
    const model = buildModel(config)
    const layers = denseLayers(model.encoder)
    const d = 64
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D
    const flat = tf.reshape(x, [2, d]) as tf.Tensor2D
    const h1 = layers[0].apply(flat) as tf.Tensor2D
    const h2 = layers[1].apply(h1) as tf.Tensor2D
    const kernels = layers.map((l) => l.trainableWeights[0].read() as tf.Tensor2D)
    const penalty = scalar(jacobianPenalty(kernels, [h1, h2]))

    // Central differences on the encoder, one input pixel at a time, in float64 on the host.
    const code = (v: Float32Array) => {
      return tf.tidy(() => Array.from(model.encode(tf.tensor4d(v, [1, 8, 8, 1])).dataSync()))
    }
    const xs = x.dataSync() as Float32Array
    const eps = 1e-2
    let fd = 0
    for (let n = 0; n < 2; n++) {
      const base = xs.slice(n * d, (n + 1) * d)
      for (let i = 0; i < d; i++) {
        const up = base.slice()
        const down = base.slice()
        up[i] += eps
        down[i] -= eps
        const a = code(up)
        const b = code(down)
        for (let j = 0; j < a.length; j++) fd += ((a[j] - b[j]) / (2 * eps)) ** 2
      }
    }
    fd /= 2
    expect(penalty).toBeGreaterThan(0)
    expect(Math.abs(penalty - fd) / fd).toBeLessThan(0.02)

    // The model's own loss reports the same penalty.
    const terms = model.loss(x, x, true)
    expect(terms.penalty!.dataSync()[0]).toBeCloseTo(penalty, 4)
    tf.dispose([x, flat, h1, h2, ...Object.values(terms)])
    model.dispose()
  })

  it('the W₁ᵀW₁ form has the same gradients as the direct form', () => {
    // 600-wide input, batch 40: the Gram form is picked. Reference: Σ (M W₁ᵀ)² differentiated by tfjs.
    const w1 = tf.randomNormal([600, 8], 0, 0.1, 'float32', 1) as tf.Tensor2D
    const w2 = tf.randomNormal([8, 5], 0, 0.3, 'float32', 2) as tf.Tensor2D
    const h = tf.relu(tf.randomNormal([40, 8], 0, 1, 'float32', 3)) as tf.Tensor2D
    const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) => jacobianPenalty([a, b] as tf.Tensor2D[], [h]))([
      w1,
      w2
    ])
    const reference = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
      const m = tf.mul(tf.expandDims(tf.transpose(b), 0), tf.expandDims(tf.step(h), 1)) // [N, 5, 8]
      const j = tf.matMul(tf.reshape(m, [-1, 8]), a, false, true)
      return tf.div(tf.sum(tf.square(j)), 40)
    })([w1, w2])
    for (let i = 0; i < 2; i++) {
      const got = ours[i].dataSync()
      const want = reference[i].dataSync()
      const scale = Math.max(...Array.from(want as Float32Array, Math.abs))
      const worst = Array.from(got as Float32Array).reduce((m, v, j) => Math.max(m, Math.abs(v - want[j])), 0)
      expect(worst / scale).toBeLessThan(1e-4)
    }
    tf.dispose([w1, w2, h, ...ours, ...reference])
  })

  it('both Jacobian formulations (direct and via W₁ᵀW₁) agree', () => {
    // Wide input with a tiny batch picks the direct product; a narrow input with a big batch picks the Gram form.
    const w = [tf.randomNormal([600, 8], 0, 0.1, 'float32', 1), tf.randomNormal([8, 5], 0, 0.3, 'float32', 2)]
    const h = [tf.relu(tf.randomNormal([40, 8], 0, 1, 'float32', 3))]
    const reference = (kernels: tf.Tensor[], hidden: tf.Tensor[]) =>
      tf.tidy(() => {
        // Per sample J = W2ᵀ D W1ᵀ, built explicitly.
        const d = tf.step(hidden[0]) // [N, 8]
        const j = tf.matMul(
          tf.mul(tf.expandDims(tf.transpose(kernels[1]), 0), tf.expandDims(d, 1)),
          tf.tile(tf.expandDims(tf.transpose(kernels[0]), 0), [hidden[0].shape[0], 1, 1])
        )
        return tf.div(tf.sum(tf.square(j)), hidden[0].shape[0]).dataSync()[0]
      })
    const one = [tf.slice(h[0], [0, 0], [1, 8])] as tf.Tensor2D[]
    expect(scalar(jacobianPenalty(w as tf.Tensor2D[], one))).toBeCloseTo(reference(w, one), 3)
    expect(scalar(jacobianPenalty(w as tf.Tensor2D[], h as tf.Tensor2D[]))).toBeCloseTo(reference(w, h), 3)
    tf.dispose([...w, ...h, ...one])
  })
})

describe('corrupt', () => {
  const x = () => tf.fill([4, 16, 16, 3], 0.5) as tf.Tensor4D

  it('gaussian noise has the requested σ and stays in [0, 1]', () => {
    const clean = x()
    const noisy = corrupt(clean, { kind: 'gaussian', amount: 0.1 }, 1)
    const diff = tf.sub(noisy, clean)
    expect(tf.moments(diff).variance.dataSync()[0]).toBeCloseTo(0.01, 2)
    expect(tf.min(noisy).dataSync()[0]).toBeGreaterThanOrEqual(0)
    expect(tf.max(noisy).dataSync()[0]).toBeLessThanOrEqual(1)
    tf.dispose([clean, noisy, diff])
  })

  it('salt-and-pepper hits about the requested fraction of pixels with black or white, all channels alike', () => {
    const clean = x()
    const noisy = corrupt(clean, { kind: 'saltpepper', amount: 0.3 }, 2)
    const v = noisy.dataSync()
    let black = 0
    let white = 0
    for (let p = 0; p < v.length; p += 3) {
      expect(v[p + 1]).toBe(v[p])
      expect(v[p + 2]).toBe(v[p])
      if (v[p] === 0) black++
      if (v[p] === 1) white++
    }
    const pixels = v.length / 3
    expect((black + white) / pixels).toBeGreaterThan(0.22)
    expect((black + white) / pixels).toBeLessThan(0.38)
    expect(black).toBeGreaterThan(pixels * 0.08)
    expect(white).toBeGreaterThan(pixels * 0.08)
    tf.dispose([clean, noisy])
  })

  it('masking blacks out about the requested fraction; same seed, same corruption; no leaks', () => {
    const clean = x()
    const before = tf.memory().numTensors
    const a = corrupt(clean, { kind: 'mask', amount: 0.5 }, 3)
    const b = corrupt(clean, { kind: 'mask', amount: 0.5 }, 3)
    const c = corrupt(clean, { kind: 'mask', amount: 0.5 }, 4)
    expect(tf.memory().numTensors).toBe(before + 3)
    const zeros = Array.from(a.dataSync()).filter((v) => v === 0).length / a.size
    expect(zeros).toBeGreaterThan(0.4)
    expect(zeros).toBeLessThan(0.6)
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()))
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()))
    tf.dispose([clean, a, b, c])
  })
})
