import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { JobControl } from '../../src/shared/control'
import { captureState, restoreState } from '../../src/engine/checkpoint'
import { clipByGlobalNorm, NonFiniteLossError, trainLoop } from '../../src/engine/loop'
import { Rng } from '../../src/engine/rng'
import { EPOCH_REPORT_KEYS } from '../helpers/expectations'
import type { TrainConfigInput } from '../../src/shared/config'
import { loopSetup } from './loop-model'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const setup = (over: Partial<TrainConfigInput> = {}, n = 20, valCount = 6) =>
  loopSetup(over, n, valCount, { residentBytes: () => process.memoryUsage().rss })

describe('training loop', () => {
  it('trains, reports every epoch with exactly the documented fields, and leaks no tensors', async () => {
    const s = setup({ epochs: 4 })
    const out = await trainLoop(s.opts)
    expect(out).toEqual({ status: 'done', epochsDone: 4 })
    expect(s.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4])
    for (const e of s.epochs) {
      expect(Object.keys(e).sort()).toEqual(EPOCH_REPORT_KEYS)
      expect(e.epochs).toBe(4)
      expect(e.kl).toBeNull()
      expect(e.valLoss).toBeGreaterThan(0)
      expect(e.imagesPerSecond).toBeGreaterThan(0)
      expect(e.rss).toBeGreaterThan(0)
    }
    expect(s.epochs[3].loss).toBeLessThan(s.epochs[0].loss)
    expect(s.epochs[3].valLoss!).toBeLessThan(s.epochs[0].valLoss!)
    expect(s.epochs[3].etaSeconds).toBe(0)
    // Adam creates its moments in the first epoch; from the second on, the count must not move.
    const counts = s.epochs.slice(1).map((e) => e.tensors)
    expect(new Set(counts).size).toBe(1)
    const before = tf.memory().numTensors
    s.dispose()
    expect(tf.memory().numTensors).toBeLessThan(before)
  })

  it('is reproducible: the same seed gives the same losses', async () => {
    const a = setup()
    const b = setup()
    await trainLoop(a.opts)
    await trainLoop(b.opts)
    expect(b.epochs.map((e) => [e.loss, e.valLoss])).toEqual(a.epochs.map((e) => [e.loss, e.valLoss]))
    const c = setup({ seed: 2 })
    await trainLoop(c.opts)
    expect(c.epochs.map((e) => e.loss)).not.toEqual(a.epochs.map((e) => e.loss))
    ;[a, b, c].forEach((s) => s.dispose())
  })

  it('resumed from an epoch-1 snapshot, continues at epoch 2 and matches the uninterrupted run', async () => {
    const full = setup({ epochs: 3 })
    await trainLoop(full.opts)

    const first = setup({ epochs: 1 })
    await trainLoop(first.opts)
    const state = await captureState(first.model, first.optimizer)
    const rngState = first.opts.rng.state()
    first.dispose()

    const resumed = setup({ epochs: 3, seed: 1 })
    await restoreState(resumed.model, resumed.optimizer, state)
    await trainLoop({ ...resumed.opts, rng: Rng.fromState(rngState), startEpoch: 1 })
    expect(resumed.epochs.map((e) => e.epoch)).toEqual([2, 3])
    expect(resumed.epochs.map((e) => [e.loss, e.valLoss])).toEqual(
      full.epochs.slice(1).map((e) => [e.loss, e.valLoss])
    )
    full.dispose()
    resumed.dispose()
  })

  it('stops between batches on request, dropping the unfinished epoch', async () => {
    const s = setup({ epochs: 5 })
    const control = new JobControl()
    let batches = 0
    const out = await trainLoop({
      ...s.opts,
      control,
      batchIntervalMs: 0,
      onBatch: (b) => {
        batches++
        if (b.epoch === 2 && b.batch === 2) control.apply('stop')
      }
    })
    expect(out).toEqual({ status: 'stopped', epochsDone: 1 })
    expect(s.epochs.map((e) => e.epoch)).toEqual([1])
    expect(batches).toBe(5 + 2)
    s.dispose()
  })

  it('pauses between batches until resumed', async () => {
    const s = setup({ epochs: 2 })
    const control = new JobControl()
    const pauses: boolean[] = []
    let reports = 0
    const done = trainLoop({
      ...s.opts,
      control,
      batchIntervalMs: 0,
      onPause: (p) => pauses.push(p),
      onBatch: (b) => {
        reports++
        if (b.epoch === 1 && b.batch === 1) control.apply('pause')
      }
    })
    await new Promise((r) => setTimeout(r, 150))
    expect(pauses).toEqual([true])
    expect(s.epochs).toHaveLength(0)
    expect(reports).toBe(1)
    control.apply('resume')
    expect(await done).toEqual({ status: 'done', epochsDone: 2 })
    expect(pauses).toEqual([true, false])
    expect(reports).toBe(10)
    s.dispose()
  })

  it('throttles batch reports', async () => {
    const s = setup({ epochs: 2 })
    const reports: number[] = []
    await trainLoop({ ...s.opts, batchIntervalMs: 60_000, onBatch: (b) => reports.push(b.batch) })
    // Only the last batch of each epoch gets through a one-minute throttle.
    expect(reports).toEqual([5, 5])
    s.dispose()
  })

  it('stops with a clear error when the loss turns NaN, after the last good epoch was reported', async () => {
    const s = setup({ epochs: 5 })
    s.model.poisonAfter = 5 + 2 // two batches into epoch 2
    const err = await trainLoop(s.opts).catch((e) => e)
    expect(err).toBeInstanceOf(NonFiniteLossError)
    expect(err.message).toMatch(/loss became NaN in epoch 2.*lower learning rate/)
    expect(s.epochs.map((e) => e.epoch)).toEqual([1])
    s.dispose()
  })

  it('clips gradients to a global norm', () => {
    const grads = [tf.tensor1d([3, 0]), tf.tensor1d([0, 4])] // global norm 5
    const clipped = clipByGlobalNorm(grads, 1)
    expect(clipped.map((g) => Array.from(g.dataSync()))).toEqual([
      [expect.closeTo(0.6, 6), 0],
      [0, expect.closeTo(0.8, 6)]
    ])
    const untouched = clipByGlobalNorm(grads, 10)
    expect(untouched.map((g) => Array.from(g.dataSync()))).toEqual([
      [3, 0],
      [0, 4]
    ])
    tf.dispose([...grads, ...clipped, ...untouched])
  })

  it('trains with clipping on, and clipping changes the path', async () => {
    const a = setup({ epochs: 2 })
    const b = setup({ epochs: 2, clipNorm: 0.01 })
    await trainLoop(a.opts)
    await trainLoop(b.opts)
    expect(b.epochs[1].loss).not.toBe(a.epochs[1].loss)
    expect(Number.isFinite(b.epochs[1].loss)).toBe(true)
    a.dispose()
    b.dispose()
  })
})
