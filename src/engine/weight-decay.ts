import * as tf from '@tensorflow/tfjs'

/**
 * The variables weight decay shrinks: kernels (dense [in, out], conv [kh, kw, in, out], conv-transpose), not
 * biases (rank 1). Shrinking biases only shifts activations and does not regularise; the models have no
 * normalisation layers whose scales would also need exempting.
 */
export const decayedVariables = (vars: readonly tf.Variable[]): tf.Variable[] =>
  vars.filter((v) => v.shape.length >= 2)

/**
 * Decoupled weight decay (AdamW, Loshchilov & Hutter): after the optimizer's step, w ← w − lr·wd·w, so the decay
 * is not rescaled by Adam's per-weight step sizes as an L2 term in the loss would be.
 */
export function applyWeightDecay(vars: readonly tf.Variable[], lr: number, weightDecay: number): void {
  if (weightDecay <= 0) return
  const keep = 1 - lr * weightDecay
  tf.tidy(() => {
    for (const v of vars) v.assign(tf.mul(v, keep))
  })
}

/** tfjs's Adam reads its rate at every applyGradients; there is no public setter. */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { learningRate?: number }
  if (typeof o.learningRate !== 'number') throw new Error('this optimizer has no learning rate to schedule')
  o.learningRate = lr
}
