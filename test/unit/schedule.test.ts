import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { earlyStopStart, earlyStopStep, type EarlyStopState } from '../../src/engine/early-stop'
import {
  cosineLr,
  learningRateAt,
  plateauStart,
  plateauStep,
  type PlateauState
} from '../../src/engine/schedule'
import { applyWeightDecay, decayedVariables, setLearningRate } from '../../src/engine/weight-decay'
import { parseTrainConfig } from '../../src/shared/config'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('cosine schedule', () => {
  it('falls from the base rate along a half cosine to the minimum', () => {
    expect(cosineLr(1e-3, 0, 0, 10, 0)).toBe(1e-3)
    expect(cosineLr(1e-3, 0, 0, 10, 5)).toBeCloseTo(5e-4, 15)
    expect(cosineLr(1e-3, 0, 0, 10, 9)).toBeCloseTo((1e-3 * (1 + Math.cos(0.9 * Math.PI))) / 2, 15)
    expect(cosineLr(1e-3, 1e-4, 0, 10, 10)).toBeCloseTo(1e-4, 15)
    expect(cosineLr(1e-3, 1e-4, 0, 10, 2)).toBeCloseTo(1e-4 + (9e-4 * (1 + Math.cos(0.2 * Math.PI))) / 2, 15)
  })

  it('warms up linearly first, reaching the base rate on the last warm-up step', () => {
    expect(cosineLr(1e-3, 0, 4, 14, 0)).toBeCloseTo(2.5e-4, 15)
    expect(cosineLr(1e-3, 0, 4, 14, 3)).toBe(1e-3)
    expect(cosineLr(1e-3, 0, 4, 14, 4)).toBe(1e-3)
    expect(cosineLr(1e-3, 0, 4, 14, 9)).toBeCloseTo(5e-4, 15)
  })

  it('is read per batch from the epoch and batch (warm-up given in epochs)', () => {
    const schedule = parseTrainConfig({ model: 'conv', lrSchedule: { kind: 'cosine', warmup: 1 } }).lrSchedule
    const at = (epoch: number, batch: number) =>
      learningRateAt(schedule, 0.01, undefined, { epoch, epochs: 3, batch, batches: 4 })
    expect(at(1, 0)).toBeCloseTo(0.0025, 15)
    expect(at(1, 3)).toBe(0.01)
    expect(at(2, 0)).toBe(0.01)
    expect(at(3, 0)).toBeCloseTo(0.005, 15)
  })

  it('constant keeps the base rate; plateau reads its state', () => {
    const at = { epoch: 7, epochs: 9, batch: 2, batches: 5 }
    expect(learningRateAt({ kind: 'constant' }, 0.003, undefined, at)).toBe(0.003)
    const plateau = { kind: 'plateau', factor: 0.5, patience: 2, minLr: 0 } as const
    expect(learningRateAt(plateau, 0.003, { lr: 0.0004, best: 1, bad: 0 }, at)).toBe(0.0004)
    expect(learningRateAt(plateau, 0.003, undefined, at)).toBe(0.003)
  })
})

describe('reduce on plateau', () => {
  it('halves the rate after `patience` epochs without a 1e-4 relative improvement, down to the minimum', () => {
    const o = { factor: 0.5, patience: 2, minLr: 3e-4 }
    const scores = [1, 0.9, 0.95, 0.92, 0.89999, 0.91, 0.92, 0.93, 0.5]
    let s: PlateauState = plateauStart(1e-3)
    const trace = scores.map((score) => (s = plateauStep(s, score, o)))
    expect(trace.map((t) => t.lr)).toEqual([1e-3, 1e-3, 1e-3, 5e-4, 5e-4, 3e-4, 3e-4, 3e-4, 3e-4])
    expect(trace.map((t) => t.bad)).toEqual([0, 0, 1, 0, 1, 0, 1, 0, 0])
    expect(trace.map((t) => t.best)).toEqual([1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.5])
  })

  it('its state survives JSON (a checkpoint) and continues identically', () => {
    const o = { factor: 0.1, patience: 1, minLr: 0 }
    const straight = [3, 2, 2.5, 2.4].reduce((s, v) => plateauStep(s, v, o), plateauStart(0.01))
    const half = [3, 2].reduce((s, v) => plateauStep(s, v, o), plateauStart(0.01))
    const resumed = [2.5, 2.4].reduce(
      (s, v) => plateauStep(s, v, o),
      JSON.parse(JSON.stringify(half)) as PlateauState
    )
    expect(resumed).toEqual(straight)
    expect(straight.lr).toBeCloseTo(1e-4, 15)
  })
})

describe('early stopping', () => {
  const stopsAt = (scores: number[], patience: number) => {
    let s: EarlyStopState = earlyStopStart()
    for (let e = 1; e <= scores.length; e++) {
      const r = earlyStopStep(s, e, scores[e - 1], patience)
      s = r.state
      if (r.stop) return { epoch: e, best: s }
    }
    return { epoch: null, best: s }
  }

  it('stops when `patience` epochs have passed since the best one', () => {
    expect(stopsAt([5, 4, 4.5, 3.9, 4, 4, 4, 1], 3)).toEqual({ epoch: 7, best: { best: 3.9, bestEpoch: 4 } })
    expect(stopsAt([5, 4, 4.5, 3.9, 4, 4, 4, 1], 4)).toEqual({ epoch: null, best: { best: 1, bestEpoch: 8 } })
  })

  it('counts a tie as no improvement, like the best checkpoint does', () => {
    expect(stopsAt([2, 2, 2], 2).epoch).toBe(3)
  })

  it('never stops with patience 0', () => {
    expect(stopsAt([1, 2, 3, 4, 5, 6], 0).epoch).toBeNull()
  })
})

describe('weight decay', () => {
  it('shrinks kernels by lr·wd after the Adam step and leaves biases alone', () => {
    const kernel = tf.variable(
      tf.tensor2d([
        [1, -2],
        [3, 0.5]
      ])
    )
    const bias = tf.variable(tf.tensor1d([1, -1]))
    const optimizer = tf.train.adam(0.1)
    const before = tf.memory().numTensors
    // Zero gradients: Adam's step is exactly 0, so only the decay moves the weights.
    const zeros = [tf.zerosLike(kernel), tf.zerosLike(bias)]
    optimizer.applyGradients([
      { name: kernel.name, tensor: zeros[0] },
      { name: bias.name, tensor: zeros[1] }
    ])
    tf.dispose(zeros)
    expect(decayedVariables([kernel, bias])).toEqual([kernel])
    applyWeightDecay(decayedVariables([kernel, bias]), 0.1, 0.5)
    expect(Array.from(kernel.dataSync())).toEqual([0.95, -1.9, 2.85, 0.475].map(Math.fround))
    expect(Array.from(bias.dataSync())).toEqual([1, -1])
    // Adam's moment variables are created on the first step; nothing else may stay behind.
    expect(tf.memory().numTensors).toBe(before + 4)
    tf.dispose([kernel, bias])
    optimizer.dispose()
  })

  it('does nothing at 0', () => {
    const w = tf.variable(tf.tensor2d([[2]]))
    applyWeightDecay([w], 0.1, 0)
    expect(w.dataSync()[0]).toBe(2)
    w.dispose()
  })
})

describe('setLearningRate', () => {
  it('changes the step Adam takes (its first step is lr·sign(g))', () => {
    const w = tf.variable(tf.tensor1d([1, 1]))
    const optimizer = tf.train.adam(0.1)
    setLearningRate(optimizer, 0.01)
    const g = tf.tensor1d([3, -0.2])
    optimizer.applyGradients([{ name: w.name, tensor: g }])
    const [a, b] = w.dataSync()
    expect(a).toBeCloseTo(0.99, 6)
    expect(b).toBeCloseTo(1.01, 6)
    tf.dispose([w, g])
    optimizer.dispose()
  })

  it('refuses an optimizer without a rate', () => {
    expect(() => setLearningRate({} as tf.Optimizer, 0.1)).toThrow('no learning rate')
  })
})
