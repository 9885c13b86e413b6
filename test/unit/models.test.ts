import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseTrainConfig, modelKinds, type TrainConfigInput } from '../../src/shared/config'
import { buildModel, samplePrior } from '../../src/engine/models'
import { modelInput } from '../../src/engine/loop'
import type { Autoencoder } from '../../src/engine/autoencoder'
import { initBackend } from '../../src/main/backends/activate'

// wasm with our training kernels: the cpu backend takes seconds per conv step even at 16×16.
beforeAll(async () => {
  await initBackend('wasm')
})

// Colourisation needs colour data; every other kind gets one channel.
const tiny = (over: Partial<TrainConfigInput> = {}) =>
  parseTrainConfig({
    model: 'conv',
    size: 16,
    channels: over.model === 'colorize' ? 3 : 1,
    latent: 4,
    batch: 8,
    lr: 0.01,
    ...over
  })

/** Smooth blobs: a few gaussian bumps per image, so there is structure to learn. */
function dataset(n: number, size: number, channels: number): tf.Tensor4D {
  return tf.tidy(() => {
    const grid = tf.linspace(0, 1, size)
    const yy = tf.reshape(grid, [1, size, 1, 1])
    const xx = tf.reshape(grid, [1, 1, size, 1])
    const cx = tf.reshape(tf.randomUniform([n], 0.2, 0.8, 'float32', 7), [n, 1, 1, 1])
    const cy = tf.reshape(tf.randomUniform([n], 0.2, 0.8, 'float32', 8), [n, 1, 1, 1])
    const d2 = tf.add(tf.square(tf.sub(xx, cx)), tf.square(tf.sub(yy, cy)))
    const blob = tf.exp(tf.div(tf.neg(d2), 0.02))
    return tf.tile(blob, [1, 1, 1, channels]) as tf.Tensor4D
  })
}

function train(model: Autoencoder, x: tf.Tensor4D, steps: number): number[] {
  const opt = tf.train.adam(model.config.lr)
  const losses: number[] = []
  for (let i = 0; i < steps; i++) {
    const input = modelInput(x, model.config, i)
    const cost = opt.minimize(
      () => model.loss(input as tf.Tensor4D, x, true, i).total,
      true,
      model.trainableVariables
    )!
    losses.push(cost.dataSync()[0])
    cost.dispose()
    if (input !== x) input.dispose()
  }
  opt.dispose()
  return losses
}

const weightsOf = (m: Autoencoder) => m.trainableVariables.map((v) => Array.from(v.dataSync()))

describe('buildModel', () => {
  it.each(modelKinds)('%s: loss falls on a small generated dataset', (kind) => {
    const model = buildModel(tiny({ model: kind }))
    const x = dataset(16, 16, model.config.channels)
    const losses = train(model, x, 30)
    const first = losses.slice(0, 3).reduce((a, b) => a + b) / 3
    const last = losses.slice(-3).reduce((a, b) => a + b) / 3
    expect(last).toBeLessThan(first * 0.8)
    x.dispose()
    model.dispose()
  })

  it('builds the layer shapes the issue and torch_ref.py describe', () => {
    const conv = buildModel(parseTrainConfig({ model: 'conv', size: 64, channels: 3, latent: 64 }))
    expect(conv.encoder.layers.map((l) => l.getClassName())).toEqual([
      'InputLayer',
      'Conv2D',
      'Conv2D',
      'Conv2D',
      'Flatten',
      'Dense'
    ])
    expect(conv.encoder.outputs[0].shape).toEqual([null, 64])
    expect(conv.decoder.layers.map((l) => l.getClassName())).toEqual([
      'InputLayer',
      'Dense',
      'Reshape',
      'Conv2DTranspose',
      'Conv2DTranspose',
      'Conv2DTranspose'
    ])
    expect(conv.decoder.layers[2].outputShape).toEqual([null, 8, 8, 128])
    expect(conv.decoder.outputs[0].shape).toEqual([null, 64, 64, 3])
    // The same count PyTorch reports for torch_ref.py's model(64, 3, 64).
    const params = (m: tf.LayersModel) => m.countParams()
    expect(params(conv.encoder) + params(conv.decoder)).toBe(1_243_203)
    conv.dispose()

    const resize = buildModel(tiny({ upsample: 'resize', channels: 3 }))
    expect(resize.decoder.layers.map((l) => l.getClassName()).slice(3)).toEqual([
      'UpSampling2D',
      'Conv2D',
      'UpSampling2D',
      'Conv2D',
      'UpSampling2D',
      'Conv2D'
    ])
    expect(resize.decoder.outputs[0].shape).toEqual([null, 16, 16, 3])
    resize.dispose()

    const dense = buildModel(tiny({ model: 'dense', channels: 3 }))
    const units = (m: tf.LayersModel) =>
      m.layers
        .filter((l) => l.getClassName() === 'Dense')
        .map((l) => (l.getConfig() as { units: number }).units)
    expect(units(dense.encoder)).toEqual([512, 256, 4])
    expect(units(dense.decoder)).toEqual([256, 512, 16 * 16 * 3])
    dense.dispose()

    const vae = buildModel(tiny({ model: 'vae' }))
    expect(vae.encoder.outputs.map((o) => o.shape)).toEqual([
      [null, 4],
      [null, 4]
    ])
    vae.dispose()
  })

  it('the same seed builds identical weights, another seed different ones', () => {
    for (const kind of modelKinds) {
      const a = buildModel(tiny({ model: kind, seed: 5 }))
      const b = buildModel(tiny({ model: kind, seed: 5 }))
      const c = buildModel(tiny({ model: kind, seed: 6 }))
      expect(weightsOf(a)).toEqual(weightsOf(b))
      expect(weightsOf(a)).not.toEqual(weightsOf(c))
      for (const m of [a, b, c]) m.dispose()
    }
  })

  it("initialises like PyTorch's defaults: weights and biases uniform in ±1/√fanIn", () => {
    const model = buildModel(parseTrainConfig({ model: 'conv', size: 32, channels: 3, latent: 16 }))
    const weights = [...model.encoder.weights, ...model.decoder.weights]
    // fan-in per layer, in build order: conv 3·9, 32·9, 64·9; dense 4·4·128; dense 16; conv-transpose
    // (PyTorch counts its output channels) 64·9, 32·9, 3·9.
    const fans = [27, 288, 576, 2048, 16, 576, 288, 27]
    expect(weights.length).toBe(2 * fans.length)
    fans.forEach((fan, i) => {
      for (const w of [weights[2 * i], weights[2 * i + 1]]) {
        const v = w.read().dataSync()
        const max = Array.from(v as Float32Array).reduce((m, x) => Math.max(m, Math.abs(x)), 0)
        expect(max).toBeLessThanOrEqual(1 / Math.sqrt(fan))
        // Spread over the whole interval (the bound is reached), and biases are not zeros.
        expect(max).toBeGreaterThan((v.length > 100 ? 0.95 : 0.5) / Math.sqrt(fan))
      }
    })
    model.dispose()
  })

  it('encoder and decoder save and reload in TensorFlow.js layers format', async () => {
    for (const kind of ['conv', 'vae', 'dense'] as const) {
      const model = buildModel(tiny({ model: kind, upsample: 'resize' }))
      const x = dataset(3, 16, 1)
      const reloaded: tf.LayersModel[] = []
      for (const part of [model.encoder, model.decoder]) {
        let saved: tf.io.ModelArtifacts | undefined
        await part.save(
          tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: {} as never }))
        )
        expect(saved!.format).toBe('layers-model')
        reloaded.push(await tf.loadLayersModel(tf.io.fromMemory(saved!)))
      }
      const code = model.encode(x)
      const out = reloaded[0].predict(x) as tf.Tensor | tf.Tensor[]
      const code2 = Array.isArray(out) ? out[0] : out
      expect(Array.from(code2.dataSync())).toEqual(Array.from(code.dataSync()))
      const img = model.decode(code)
      const img2 = reloaded[1].predict(code) as tf.Tensor
      expect(Array.from(img2.dataSync())).toEqual(Array.from(img.dataSync()))
      tf.dispose([x, code, out, img, img2])
      for (const m of reloaded) m.dispose()
      model.dispose()
    }
  })

  it('does not leak tensors across repeated loss and gradient steps', () => {
    for (const kind of modelKinds) {
      const model = buildModel(tiny({ model: kind }))
      const x = dataset(4, 16, model.config.channels)
      const opt = tf.train.adam(1e-3)
      const step = (i: number) => {
        const input = modelInput(x, model.config, i)
        const cost = opt.minimize(() => model.loss(input, x, true, i).total, true, model.trainableVariables)!
        cost.dispose()
        if (input !== x) input.dispose()
        tf.dispose(model.loss(x, x, false) as unknown as tf.Tensor[])
      }
      step(0)
      const before = tf.memory().numTensors
      for (let i = 1; i < 4; i++) step(i)
      expect(tf.memory().numTensors).toBe(before)
      opt.dispose()
      x.dispose()
      model.dispose()
    }
  })

  it('reports recon, kl and penalty terms by kind', () => {
    const x = dataset(4, 16, 1)
    const terms = (kind: (typeof modelKinds)[number]) => {
      const model = buildModel(tiny({ model: kind, beta: 2, lambda: 0.5 }))
      const t = model.loss(x, x, false)
      const vals = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, (v as tf.Scalar).dataSync()[0]]))
      tf.dispose(Object.values(t))
      model.dispose()
      return vals
    }
    const vae = terms('vae')
    expect(vae.kl).toBeGreaterThan(0)
    expect(vae.total).toBeCloseTo(vae.recon + (2 * vae.kl) / (16 * 16), 5)
    const sp = terms('sparse')
    expect(sp.total).toBeCloseTo(sp.recon + 0.5 * sp.penalty, 5)
    const co = terms('contractive')
    expect(co.penalty).toBeGreaterThan(0)
    expect(co.total).toBeCloseTo(co.recon + 0.5 * co.penalty, 5)
    const conv = terms('conv')
    expect(Object.keys(conv).sort()).toEqual(['recon', 'total'])
    expect(conv.total).toBe(conv.recon)
    x.dispose()
  })

  it('VAE: training samples the code reproducibly by seed; evaluation decodes the mean', () => {
    const model = buildModel(tiny({ model: 'vae' }))
    const x = dataset(4, 16, 1)
    const val = (t: ReturnType<Autoencoder['loss']>) => {
      const r = t.recon.dataSync()[0]
      tf.dispose(Object.values(t))
      return r
    }
    expect(val(model.loss(x, x, true, 3))).toBe(val(model.loss(x, x, true, 3)))
    expect(val(model.loss(x, x, true, 3))).not.toBe(val(model.loss(x, x, true, 4)))
    expect(val(model.loss(x, x, false))).toBe(val(model.loss(x, x, false)))
    x.dispose()
    model.dispose()
  })

  it('samplePrior decodes codes drawn from N(0, I), reproducibly', () => {
    const model = buildModel(tiny({ model: 'vae', channels: 3 }))
    const a = samplePrior(model, 5, 9)
    const b = samplePrior(model, 5, 9)
    expect(a.shape).toEqual([5, 16, 16, 3])
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()))
    const v = a.dataSync()
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...v)).toBeLessThanOrEqual(1)
    tf.dispose([a, b])
    model.dispose()
  })
})
