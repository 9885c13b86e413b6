// The loop with augmentation, schedules, weight decay and early stopping on (the pieces are tested on their own
// in augment.test.ts and schedule.test.ts).
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { captureState, restoreState } from '../../src/engine/checkpoint'
import { trainLoop } from '../../src/engine/loop'
import { corrupt } from '../../src/engine/noise'
import { Rng } from '../../src/engine/rng'
import { parseTrainState, type TrainState } from '../../src/engine/train-state'
import type { LossTerms } from '../../src/engine/autoencoder'
import type { TrainConfigInput } from '../../src/shared/config'
import { DEFAULT_AUGMENT, NO_AUGMENT } from '../../src/shared/train-options'
import { loopSetup, tinyConfig } from './loop-model'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const setup = (over: Partial<TrainConfigInput> = {}, n = 12, valCount = 4) => loopSetup(over, n, valCount)

/** Every image (h×w, one channel) of a batch as rows of values. */
const images = (t: tf.Tensor4D) => {
  const [n, h, w] = t.shape
  const v = t.dataSync()
  return Array.from({ length: n }, (_, i) => Array.from(v.subarray(i * h * w, (i + 1) * h * w)))
}
const mirror = (img: number[], s: number) => img.map((_, j) => img[Math.floor(j / s) * s + (s - 1 - (j % s))])
const key = (img: number[]) => img.map((v) => Math.round(v * 255)).join(',')

describe('training loop with augmentation', () => {
  it('trains on mirrored copies of the training images but validates on the images as they are', async () => {
    const s = setup({ epochs: 2, augment: { ...NO_AUGMENT, flip: true } })
    const size = s.config.size
    const asStored = (pixels: Uint8Array) =>
      Array.from({ length: pixels.length / s.per }, (_, i) =>
        key(Array.from(pixels.subarray(i * s.per, (i + 1) * s.per), (p) => p / 255))
      )
    const train = new Set(asStored(s.data.train))
    const val = asStored(s.data.val)
    const seen = { mirrored: 0, plain: 0, val: [] as string[] }
    const loss = s.model.loss
    s.model.loss = (input, target, training, seed): LossTerms => {
      for (const img of images(target)) {
        if (!training) seen.val.push(key(img))
        else if (train.has(key(img))) seen.plain++
        else if (train.has(key(mirror(img, size)))) seen.mirrored++
        else throw new Error('a training target is neither a training image nor its mirror')
      }
      return loss(input, target, training, seed)
    }
    await trainLoop(s.opts)
    expect(seen.mirrored + seen.plain).toBe(24)
    expect(seen.mirrored).toBeGreaterThan(4)
    expect(seen.plain).toBeGreaterThan(4)
    expect(seen.val).toEqual([...val, ...val])
    s.dispose()
  })

  it('corrupts the augmented image for denoising (the target is the augmented image)', async () => {
    const s = setup({ epochs: 1, model: 'denoising', augment: DEFAULT_AUGMENT })
    let checked = 0
    const loss = s.model.loss
    s.model.loss = (input, target, training, seed): LossTerms => {
      if (training) {
        const expected = corrupt(target, s.config.noise, seed!)
        expect(Array.from(input.dataSync())).toEqual(Array.from(expected.dataSync()))
        expected.dispose()
        checked++
      }
      return loss(input, target, training, seed)
    }
    await trainLoop(s.opts)
    expect(checked).toBe(3)
    s.dispose()
  })

  it('leaks no tensors with every option on', async () => {
    const s = setup({
      epochs: 3,
      augment: DEFAULT_AUGMENT,
      lrSchedule: { kind: 'plateau', patience: 1 },
      weightDecay: 0.01
    })
    await trainLoop(s.opts)
    expect(s.epochs[2].tensors).toBe(s.epochs[1].tensors)
    s.dispose()
  })
})

describe('training loop with schedules and early stopping', () => {
  /** A model whose validation loss follows a script, one value per epoch. */
  function scripted(over: Partial<TrainConfigInput>, valScript: number[]) {
    const s = setup(over)
    const loss = s.model.loss
    const rates: number[][] = []
    let epoch = 0
    s.model.loss = (input, target, training, seed): LossTerms => {
      if (training) {
        ;(rates[epoch] ??= []).push((s.optimizer as unknown as { learningRate: number }).learningRate)
        return loss(input, target, training, seed)
      }
      const v = valScript[epoch++]
      return { total: tf.scalar(v), recon: tf.scalar(v) }
    }
    return { ...s, rates }
  }

  it('stops early after `patience` epochs without a better validation loss', async () => {
    const s = scripted({ epochs: 10, earlyStop: 2 }, [5, 4, 4.5, 3.5, 3, 3.25, 3.5, 3.75, 1, 1])
    const state: TrainState = parseTrainState(undefined, s.config)
    const out = await trainLoop({ ...s.opts, state })
    expect(out).toEqual({ status: 'done', epochsDone: 7, stoppedEarly: 7 })
    expect(s.epochs.map((e) => e.valLoss)).toEqual([5, 4, 4.5, 3.5, 3, 3.25, 3.5])
    expect(state.earlyStop).toEqual({ best: 3, bestEpoch: 5 })
    s.dispose()
  })

  it('cuts the rate on a plateau from the next epoch on', async () => {
    const s = scripted(
      { epochs: 5, lr: 0.01, lrSchedule: { kind: 'plateau', factor: 0.5, patience: 2 } },
      [3, 3, 3, 3, 3]
    )
    await trainLoop(s.opts)
    // 12 images in batches of 4: 3 batches an epoch. Epochs 2 and 3 do not improve: cut after epoch 3; again after 5.
    expect(s.rates).toEqual([
      [0.01, 0.01, 0.01],
      [0.01, 0.01, 0.01],
      [0.01, 0.01, 0.01],
      [0.005, 0.005, 0.005],
      [0.005, 0.005, 0.005]
    ])
    s.dispose()
  })

  it('follows the cosine schedule batch by batch', async () => {
    const s = scripted({ epochs: 2, lr: 0.01, lrSchedule: { kind: 'cosine' } }, [1, 1])
    await trainLoop(s.opts)
    const expected = [0, 1, 2, 3, 4, 5].map((t) => 0.005 * (1 + Math.cos((Math.PI * t) / 6)))
    expect(
      s.rates
        .flat()
        .map((r, i) => r - expected[i])
        .every((d) => Math.abs(d) < 1e-15)
    ).toBe(true)
    s.dispose()
  })

  it('decays the kernels, not the biases, after every step', async () => {
    const s = setup({ epochs: 1, lr: 0.01, weightDecay: 0.5 })
    // A loss that ignores the weights' values has zero gradients, so Adam does not move them: only the decay does.
    s.model.loss = (_input, _target, training): LossTerms =>
      tf.tidy(() => {
        const zero = tf.mul(tf.addN(s.model.trainableVariables.map((v) => tf.sum(v))), 0) as tf.Scalar
        return { total: training ? zero : tf.scalar(1), recon: tf.scalar(1) }
      })
    const before = s.model.trainableVariables.map((v) => Array.from(v.dataSync()))
    await trainLoop(s.opts)
    s.model.trainableVariables.forEach((v, i) => {
      const k = v.shape.length >= 2 ? (1 - 0.01 * 0.5) ** 3 : 1
      const now = Array.from(v.dataSync())
      now.forEach((x, j) => expect(x).toBeCloseTo(before[i][j] * k, 6))
      if (v.shape.length >= 2) expect(now).not.toEqual(before[i])
    })
    s.dispose()
  })
})

describe('resuming with augmentation and a plateau schedule', () => {
  it('continues the augmentation stream and the schedule exactly', async () => {
    const over: Partial<TrainConfigInput> = {
      epochs: 4,
      augment: DEFAULT_AUGMENT,
      lrSchedule: { kind: 'plateau', factor: 0.5, patience: 1 },
      earlyStop: 3
    }
    const full = setup(over)
    let snapshot: {
      model: Awaited<ReturnType<typeof captureState>>
      rng: ReturnType<Rng['state']>
      train: string
    }
    const fullState = parseTrainState(undefined, full.config)
    await trainLoop({
      ...full.opts,
      state: fullState,
      onEpoch: async (r) => {
        full.epochs.push(r)
        if (r.epoch === 2)
          snapshot = {
            model: await captureState(full.model, full.optimizer),
            rng: full.opts.rng.state(),
            train: JSON.stringify(fullState)
          }
      }
    })
    const resumed = setup(over)
    await restoreState(resumed.model, resumed.optimizer, snapshot!.model)
    const state = parseTrainState(JSON.parse(snapshot!.train), resumed.config)
    await trainLoop({ ...resumed.opts, rng: Rng.fromState(snapshot!.rng), startEpoch: 2, state })
    expect(resumed.epochs.map((e) => [e.epoch, e.loss, e.valLoss])).toEqual(
      full.epochs.slice(2).map((e) => [e.epoch, e.loss, e.valLoss])
    )
    expect(state).toEqual(fullState)
    full.dispose()
    resumed.dispose()
  })

  it('rejects a damaged schedule state in plain words', () => {
    expect(() => parseTrainState({ lr: -1, earlyStop: { best: null, bestEpoch: 0 } }, tinyConfig())).toThrow(
      'Invalid schedule state in checkpoint.'
    )
  })
})
