// Every model kind through the real training loop on the wasm backend: the loss falls, the tensor count is flat
// from epoch 2 on (no leaks in any kind's loss, noise or sampling), and a resumed run repeats the uninterrupted
// one exactly (the VAE's sampling and the denoiser's noise are seeded from the saved RNG).
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../src/main/backends/activate'
import { captureState, restoreState } from '../../src/engine/checkpoint'
import { trainLoop, type EpochReport } from '../../src/engine/loop'
import { buildModel } from '../../src/engine/models/index'
import { Rng, type RngState } from '../../src/engine/rng'
import type { Autoencoder } from '../../src/engine/autoencoder'
import { modelKinds, parseTrainConfig, type ModelKind, type TrainConfig } from '../../src/shared/config'

beforeAll(async () => {
  await initBackend('wasm')
})

/** Smooth images (a disc per image) so every kind has something learnable. */
function discs(n: number, size: number, channels: number): Uint8Array {
  const out = new Uint8Array(n * size * size * channels)
  for (let i = 0; i < n; i++) {
    const cx = 2 + (i % (size - 4))
    const cy = 2 + ((i * 3) % (size - 4))
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < channels; c++) {
          const inside = (x - cx) ** 2 + (y - cy) ** 2 <= 6
          out[((i * size + y) * size + x) * channels + c] = inside ? 220 - 40 * c : 30 + 10 * c
        }
  }
  return out
}

const config = (model: ModelKind, epochs: number): TrainConfig =>
  parseTrainConfig({
    model,
    size: 8,
    channels: 3,
    latent: 4,
    batch: 8,
    epochs,
    lr: 0.005,
    noise: { kind: 'saltpepper', amount: 0.1 }
  })

const per = 8 * 8 * 3
const pixels = discs(40, 8, 3)
const data = {
  size: 8,
  channels: 3,
  train: pixels.subarray(0, 32 * per),
  trainCount: 32,
  val: pixels.subarray(32 * per),
  valCount: 8
}

interface Snapshot {
  state: Awaited<ReturnType<typeof captureState>>
  rng: RngState
}

interface Trained {
  model: Autoencoder
  optimizer: tf.Optimizer
  rng: Rng
  epochs: EpochReport[]
}

async function train(c: TrainConfig, startEpoch = 0, from?: Snapshot): Promise<Trained> {
  const model = buildModel(c)
  const optimizer = tf.train.adam(c.lr)
  let rng = new Rng(c.seed)
  if (from) {
    await restoreState(model, optimizer, from.state)
    rng = Rng.fromState(from.rng)
  }
  const epochs: EpochReport[] = []
  await trainLoop({
    model,
    optimizer,
    data,
    config: c,
    rng,
    startEpoch,
    onEpoch: (e) => void epochs.push(e),
    residentBytes: () => 0
  })
  return { model, optimizer, rng, epochs }
}

async function snapshot(t: Trained): Promise<Snapshot> {
  const out = { state: await captureState(t.model, t.optimizer), rng: t.rng.state() }
  t.model.dispose()
  t.optimizer.dispose()
  return out
}

describe.each(modelKinds)('the %s model in the training loop', (kind) => {
  it('learns without leaking tensors, and resumes exactly', async () => {
    const full = await train(config(kind, 4))
    const e = full.epochs
    expect(e.map((x) => x.epoch)).toEqual([1, 2, 3, 4])
    expect(e[3].loss).toBeLessThan(e[0].loss)
    expect(new Set(e.slice(1).map((x) => x.tensors)).size).toBe(1)
    if (kind === 'vae') expect(e.every((x) => x.kl !== null && x.kl >= 0)).toBe(true)
    else expect(e.every((x) => x.kl === null)).toBe(true)
    await snapshot(full)

    const first = await snapshot(await train(config(kind, 2)))
    const rest = await train(config(kind, 4), 2, first)
    expect(rest.epochs.map((x) => [x.epoch, x.loss, x.valLoss])).toEqual(
      e.slice(2).map((x) => [x.epoch, x.loss, x.valLoss])
    )
    await snapshot(rest)
  })
})
