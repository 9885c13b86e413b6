import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseTrainConfig } from '../../src/shared/config'
import { morphCodes } from '../../src/engine/latent/interp'
import { decodeCodes, encodeImages } from '../../src/engine/model-ops'
import { morphFrames } from '../../src/main/exports/morph-frames'
import { scaleImage } from '../../src/main/exports/raw-image'
import { buildModel } from '../../src/engine/models/index'
import type { Autoencoder } from '../../src/engine/autoencoder'

const SIZE = 16

/** Two distinct greyscale images: a bright square on dark, and a horizontal gradient. */
function keyPixels(): Uint8Array {
  const px = new Uint8Array(2 * SIZE * SIZE)
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      px[y * SIZE + x] = x > 4 && x < 12 && y > 4 && y < 12 ? 230 : 20
      px[SIZE * SIZE + y * SIZE + x] = Math.round((x / (SIZE - 1)) * 255)
    }
  return px
}

describe('morph frames from a model', () => {
  let model: Autoencoder
  beforeAll(async () => {
    await tf.setBackend('cpu')
    model = buildModel(parseTrainConfig({ model: 'conv', size: SIZE, channels: 1, latent: 4, seed: 3 }))
  })
  afterAll(() => model.dispose())

  it('starts and ends on the keyframes’ own reconstructions and leaks no tensors', async () => {
    const before = tf.memory().numTensors
    const keys = await encodeImages(model, keyPixels(), 2)
    expect(keys).toHaveLength(2)
    expect(keys[0]).toHaveLength(4)
    const [reconA, reconB] = await decodeCodes(model, keys)
    const progress: number[] = []
    const frames = await morphFrames(model, keys, {
      frames: 7,
      size: 48,
      interp: 'slerp',
      pingpong: false,
      onProgress: (done) => progress.push(done)
    })
    expect(frames).toHaveLength(7)
    expect(frames.every((f) => f.width === 48 && f.height === 48 && f.channels === 1)).toBe(true)
    expect(frames[0].data).toEqual((await scaleImage(reconA, 48)).data)
    expect(frames[6].data).toEqual((await scaleImage(reconB, 48)).data)
    // In-between frames differ from both ends (the codes do).
    expect(frames[3].data).not.toEqual(frames[0].data)
    expect(progress.at(-1)).toBe(14)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('ping-pong returns to the start through the same frames', async () => {
    const keys = await encodeImages(model, keyPixels(), 2)
    const frames = await morphFrames(model, keys, { frames: 5, size: SIZE, interp: 'lerp', pingpong: true })
    expect(frames).toHaveLength(8)
    expect(frames[5].data).toEqual(frames[3].data)
    expect(frames[7].data).toEqual(frames[1].data)
  })

  it('decodes in batches larger than one forward pass, in order', async () => {
    const keys = await encodeImages(model, keyPixels(), 2)
    const codes = morphCodes(keys, { frames: 40, interp: 'lerp' })
    const all = await decodeCodes(model, codes)
    const tail = await decodeCodes(model, codes.slice(35))
    expect(all).toHaveLength(40)
    expect(all.slice(35).map((i) => i.data)).toEqual(tail.map((i) => i.data))
  })
})
