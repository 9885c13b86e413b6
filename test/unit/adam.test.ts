import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { LeanAdam } from '../../src/engine/adam'
import { restoreAdamPowers } from '../../src/engine/checkpoint'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

/** Three variables of different shapes and a loss whose gradient changes every step. */
function problem(seed: number) {
  const vars = [
    tf.variable(tf.randomNormal([5, 4], 0, 1, 'float32', seed)),
    tf.variable(tf.randomNormal([4], 0, 1, 'float32', seed + 1)),
    tf.variable(tf.randomNormal([2, 3, 2], 0, 1, 'float32', seed + 2))
  ]
  const target = tf.randomNormal([5, 4], 0, 1, 'float32', seed + 3)
  const loss = () =>
    tf.tidy(() =>
      tf.addN([
        tf.mean(tf.square(tf.sub(tf.add(vars[0], vars[1]), target))),
        tf.mean(tf.abs(vars[2])),
        tf.mul(0.1, tf.sum(tf.square(vars[1])))
      ])
    ) as tf.Scalar
  return { vars, loss, dispose: () => tf.dispose([...vars, target]) }
}

function run(optimizer: tf.Optimizer, steps: number, seed = 1) {
  const p = problem(seed)
  for (let i = 0; i < steps; i++) optimizer.minimize(p.loss, false, p.vars)
  const out = p.vars.map((v) => Array.from(v.dataSync()))
  p.dispose()
  return out
}

const maxRel = (a: number[][], b: number[][]) =>
  Math.max(...a.flat().map((v, i) => Math.abs(v - b.flat()[i]) / Math.max(Math.abs(b.flat()[i]), 1e-3)))

describe('LeanAdam', () => {
  it('takes the same steps as tfjs Adam (up to float32 rounding)', () => {
    const lean = new LeanAdam(0.05)
    const stock = tf.train.adam(0.05)
    const a = run(lean, 40)
    const b = run(stock, 40)
    expect(maxRel(a, b)).toBeLessThan(1e-4)
    // And both moved far from the start, so the agreement is not two optimizers doing nothing.
    expect(maxRel(a, run(tf.train.adam(0), 1))).toBeGreaterThan(0.1)
    lean.dispose()
    stock.dispose()
  })

  it('runs 12 kernels a variable, where tfjs Adam runs 14 and 4 more for its β powers', async () => {
    const count = async (optimizer: tf.Optimizer) => {
      const p = problem(2)
      optimizer.minimize(p.loss, false, p.vars) // moments created on the first step
      const { value, grads } = tf.variableGrads(p.loss, p.vars)
      const info = await tf.profile(() =>
        optimizer.applyGradients(p.vars.map((v) => ({ name: v.name, tensor: grads[v.name] })))
      )
      tf.dispose([value, ...Object.values(grads)])
      p.dispose()
      optimizer.dispose()
      return info.kernels.length
    }
    expect(await count(new LeanAdam(0.01))).toBe(3 * 12)
    expect(await count(tf.train.adam(0.01))).toBe(3 * 14 + 4)
  })

  it('checkpoints interchange with tfjs Adam both ways and continue the same steps', async () => {
    // 10 steps with one class, state handed over through getWeights/setWeights, 10 more with the other.
    const handover = async (first: tf.AdamOptimizer, second: tf.AdamOptimizer) => {
      const p = problem(3)
      for (let i = 0; i < 10; i++) first.minimize(p.loss, false, p.vars)
      const state = await first.getWeights()
      await second.setWeights(state)
      const internals = first as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable }
      restoreAdamPowers(second, [(await internals.accBeta1.data())[0], (await internals.accBeta2.data())[0]])
      for (let i = 0; i < 10; i++) second.minimize(p.loss, false, p.vars)
      const out = p.vars.map((v) => Array.from(v.dataSync()))
      p.dispose()
      first.dispose()
      second.dispose()
      return out
    }
    const straight = run(tf.train.adam(0.05), 20, 3)
    expect(maxRel(await handover(new LeanAdam(0.05), tf.train.adam(0.05)), straight)).toBeLessThan(1e-4)
    expect(maxRel(await handover(tf.train.adam(0.05), new LeanAdam(0.05)), straight)).toBeLessThan(1e-4)
  })

  it('leaves no tensors behind from step to step', () => {
    const p = problem(4)
    const opt = new LeanAdam(0.01)
    opt.minimize(p.loss, false, p.vars)
    const after1 = tf.memory().numTensors
    for (let i = 0; i < 5; i++) opt.minimize(p.loss, false, p.vars)
    expect(tf.memory().numTensors).toBe(after1)
    p.dispose()
    opt.dispose()
  })
})
