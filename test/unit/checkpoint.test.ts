import * as tf from '@tensorflow/tfjs'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  captureState,
  decodeCheckpoint,
  encodeCheckpoint,
  restoreState,
  type CheckpointData
} from '../../src/engine/checkpoint'
import { readCheckpoint } from '../../src/main/services/run-files'
import { sha256 } from '../../src/main/util/hash'
import { writeFileAtomic } from '../../src/main/util/atomic-write'
import { trainLoop } from '../../src/engine/loop'
import { Rng } from '../../src/engine/rng'
import { tempDir } from '../helpers/tmp'
import { randomPixels, tinyConfig, tinyModel } from './loop-model'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const bytes = (a: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)

async function trainedCheckpoint(): Promise<CheckpointData> {
  const config = tinyConfig({ epochs: 2 })
  const model = tinyModel(config)
  const optimizer = tf.train.adam(config.lr)
  const rng = new Rng(config.seed)
  const data = {
    size: 8,
    channels: 1,
    train: randomPixels(config, 12),
    trainCount: 12,
    val: new Uint8Array(),
    valCount: 0
  }
  await trainLoop({ model, optimizer, data, config, rng, startEpoch: 0, residentBytes: () => 0 })
  const state = await captureState(model, optimizer)
  model.dispose()
  optimizer.dispose()
  return { epoch: 2, config, rng: rng.state(), bestValLoss: 0.25, ...state }
}

describe('checkpoints', () => {
  it('round-trips weights, Adam state, epoch, rng and config bit for bit', async () => {
    const saved = await trainedCheckpoint()
    // Adam's state: the iteration count, then a first and a second moment per variable (4 variables here).
    expect(saved.optimizer.map((t) => t.name)[0]).toBe('iter')
    expect(saved.optimizer).toHaveLength(1 + 2 * 4)
    expect(saved.optimizer[0].data[0]).toBe(6)

    const dir = tempDir()
    const file = join(dir, 'last.ckpt')
    const buf = encodeCheckpoint(saved)
    writeFileAtomic(file, buf)
    expect(readdirSync(dir)).toEqual(['last.ckpt'])
    const loaded = readCheckpoint(file, sha256(buf))
    expect(loaded.epoch).toBe(2)
    expect(loaded.config).toEqual(saved.config)
    expect(loaded.rng).toEqual(saved.rng)
    expect(loaded.bestValLoss).toBe(0.25)
    expect(loaded.adamPowers).toEqual(saved.adamPowers)

    // Restore into a freshly built model and optimizer, capture again: identical bytes everywhere.
    const model = tinyModel(tinyConfig({ seed: 99 }))
    const optimizer = tf.train.adam(saved.config.lr)
    await restoreState(model, optimizer, loaded)
    const again = await captureState(model, optimizer)
    expect(again.weights.length).toBe(saved.weights.length)
    again.weights.forEach((w, i) => expect(bytes(w.data).equals(bytes(saved.weights[i].data))).toBe(true))
    expect(again.optimizer.map((t) => t.name)).toEqual(saved.optimizer.map((t) => t.name))
    again.optimizer.forEach((t, i) => expect(bytes(t.data).equals(bytes(saved.optimizer[i].data))).toBe(true))
    expect(again.adamPowers).toEqual(saved.adamPowers)
    model.dispose()
    optimizer.dispose()
  })

  it('refuses damaged files with a clear reason', async () => {
    const saved = await trainedCheckpoint()
    const dir = tempDir()
    const buf = encodeCheckpoint(saved)
    const file = join(dir, 'c.ckpt')
    writeFileSync(file, buf.subarray(0, buf.length - 10))
    expect(() => readCheckpoint(file)).toThrow(/cannot be used: it is truncated/)
    writeFileSync(file, Buffer.from('hello, not a checkpoint'))
    expect(() => readCheckpoint(file)).toThrow(/not an Autoencoder Studio checkpoint/)
    writeFileSync(file, buf)
    const flipped = Buffer.from(buf)
    flipped[flipped.length - 1] ^= 1
    writeFileSync(file, flipped)
    expect(() => readCheckpoint(file, sha256(buf))).toThrow(/checksum mismatch/)
    expect(() => readCheckpoint(join(dir, 'missing.ckpt'))).toThrow(/missing or unreadable/)
    expect(() => decodeCheckpoint(buf)).not.toThrow()
  })

  it('refuses to load weights into a model of another shape', async () => {
    const saved = await trainedCheckpoint()
    const other = tinyModel(tinyConfig({ latent: 6 }))
    const optimizer = tf.train.adam(0.01)
    await expect(restoreState(other, optimizer, saved)).rejects.toThrow(/shape/)
    other.dispose()
    optimizer.dispose()
  })

  it('replaces a file atomically, leaving no temp files behind', () => {
    const dir = tempDir()
    const file = join(dir, 'x.bin')
    writeFileAtomic(file, Buffer.from('old'))
    writeFileAtomic(file, Buffer.from('new contents'))
    expect(readFileSync(file, 'utf8')).toBe('new contents')
    expect(readdirSync(dir)).toEqual(['x.bin'])
  })
})
