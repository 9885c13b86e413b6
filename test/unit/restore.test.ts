// The pieces colourisation and watermark removal are built from: the luminance input, the colorize model's
// shapes and its colour-only rule, and the seeded `marks` corruption.
import * as tf from '@tensorflow/tfjs'
import * as v from 'valibot'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../src/main/backends/activate'
import { modelInput } from '../../src/engine/loop'
import { buildModel } from '../../src/engine/models'
import { toGrey } from '../../src/engine/models/grey'
import { corrupt } from '../../src/engine/noise'
import { parseTrainConfig, trainConfigSchema } from '../../src/shared/config'

beforeAll(async () => {
  await initBackend('wasm')
})

/** A batch of random colour (or grey) images in [0, 1], seeded. */
const randomImages = (n: number, size: number, channels: number) =>
  tf.randomUniform([n, size, size, channels], 0, 1, 'float32', 3) as tf.Tensor4D

/** Per image, the fraction of pixels where any channel differs between a and b. */
function changedFractions(a: tf.Tensor4D, b: tf.Tensor4D): number[] {
  const [n, h, w, c] = a.shape
  const da = a.dataSync()
  const db = b.dataSync()
  return Array.from({ length: n }, (_, i) => {
    let changed = 0
    for (let p = 0; p < h * w; p++) {
      const base = (i * h * w + p) * c
      for (let k = 0; k < c; k++)
        if (da[base + k] !== db[base + k]) {
          changed++
          break
        }
    }
    return changed / (h * w)
  })
}

describe('colourisation model', () => {
  it('greys with the BT.601 weights', () => {
    const x = tf.tensor4d([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0.5, 0.5], [1, 2, 2, 3])
    const g = toGrey(x)
    expect(g.shape).toEqual([1, 2, 2, 1])
    Array.from(g.dataSync()).forEach((value, i) =>
      expect(value).toBeCloseTo([0.299, 0.587, 0.114, 0.5][i], 5)
    )
    tf.dispose([x, g])
  })

  it('encodes one channel (colour inputs are greyed first) and decodes three', () => {
    const model = buildModel(parseTrainConfig({ model: 'colorize', size: 16, channels: 3, latent: 4 }))
    expect(model.encoder.inputs[0].shape).toEqual([null, 16, 16, 1])
    expect(model.decoder.outputs[0].shape).toEqual([null, 16, 16, 3])
    const x = randomImages(2, 16, 3)
    const grey = modelInput(x, model.config, 1)
    expect(grey.shape).toEqual([2, 16, 16, 1])
    // Encoding the colour image and its grey version gives the same code: colour never reaches the encoder.
    const a = model.encode(x)
    const b = model.encode(grey)
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()))
    const terms = model.loss(grey, x, false)
    expect(terms.recon.shape).toEqual([])
    tf.dispose([x, grey, a, b, ...Object.values(terms)])
    model.dispose()
  })

  it('refuses a greyscale dataset in plain words', () => {
    const parsed = v.safeParse(trainConfigSchema, { model: 'colorize', channels: 1, size: 16 })
    expect(parsed.success).toBe(false)
    expect(parsed.issues![0].message).toMatch(/needs a colour dataset \(3 channels\)/)
    expect(parsed.issues![0].path?.map((p) => p.key)).toEqual(['channels'])
    expect(() => parseTrainConfig({ model: 'colorize', channels: 3, size: 16 })).not.toThrow()
    // Other kinds still accept grey data.
    expect(() => parseTrainConfig({ model: 'denoising', channels: 1, size: 16 })).not.toThrow()
  })
})

describe('marks corruption', () => {
  it.each([1, 3])('covers a seeded, bounded fraction of each %i-channel image, reproducibly', (channels) => {
    const x = randomImages(6, 32, channels)
    for (const amount of [0.05, 0.2, 0.4]) {
      const noise = { kind: 'marks' as const, amount }
      const a = corrupt(x, noise, 11)
      const b = corrupt(x, noise, 11)
      const c = corrupt(x, noise, 12)
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()))
      expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()))
      for (const f of changedFractions(x, a)) {
        expect(f).toBeGreaterThanOrEqual(amount - 0.01)
        expect(f).toBeLessThanOrEqual(amount + 0.12)
      }
      tf.dispose([a, b, c])
    }
    expect(changedFractions(x, corrupt(x, { kind: 'marks', amount: 0 }, 1)).every((f) => f === 0)).toBe(true)
    x.dispose()
  })

  it('draws opaque marks: a marked pixel no longer depends on the image under it', () => {
    const dark = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D
    const light = tf.ones([1, 32, 32, 3]) as tf.Tensor4D
    const noise = { kind: 'marks' as const, amount: 0.3 }
    const a = corrupt(dark, noise, 5).dataSync()
    const b = corrupt(light, noise, 5).dataSync()
    let marked = 0
    for (let p = 0; p < 32 * 32; p++) {
      const same = [0, 1, 2].every((k) => a[p * 3 + k] === b[p * 3 + k])
      if (same) marked++
    }
    expect(marked / 1024).toBeGreaterThanOrEqual(0.29)
    // Two identical images of one batch get different marks.
    const pair = tf.zeros([2, 32, 32, 3]) as tf.Tensor4D
    const [m0, m1] = tf.tidy(() => tf.unstack(corrupt(pair, noise, 5)).map((t) => Array.from(t.dataSync())))
    expect(m0).not.toEqual(m1)
    tf.dispose([dark, light, pair])
  })

  it('leaks no tensors', () => {
    const x = randomImages(2, 16, 3)
    corrupt(x, { kind: 'marks', amount: 0.2 }, 1).dispose()
    const before = tf.memory().numTensors
    corrupt(x, { kind: 'marks', amount: 0.2 }, 2).dispose()
    expect(tf.memory().numTensors).toBe(before)
    x.dispose()
  })
})
