import * as tf from '@tensorflow/tfjs'

/** The AdamOptimizer fields tfjs keeps private; checkpoint.ts reads and writes the same ones. */
interface AdamState {
  accBeta1: tf.Variable
  accBeta2: tf.Variable
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[]
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[]
}

/**
 * Adam with the update written in fewer tensor ops than tfjs 4.22's, the same state and the same checkpoints.
 * tfjs spends 14 ops and 5 freshly made scalar tensors per variable per step, which on tfjs-node are as many
 * native calls (the benchmark network's 16 variables: about 300 a step). Here the bias corrections fold into the
 * step size and ε once per step, as TensorFlow's ApplyAdam does: θ ← θ − m·lr_t / (√v + ε̂) with
 * lr_t = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) and ε̂ = ε·√(1 − β₂ᵗ), the same function as m̂/(√v̂ + ε) up to rounding; 12 ops
 * per variable and 6 scalars per step. Moments, β powers (accBeta1/2) and getWeights/setWeights are tfjs's own,
 * so a checkpoint from either class resumes in the other.
 */
export class LeanAdam extends tf.AdamOptimizer {
  /**
   * β₁ᵗ and β₂ᵗ for the next step, mirrored from accBeta1/2 so a step reads no tensor back (a synchronous read
   * fails on webgpu under Node). tfjs starts them at β₁ and β₂.
   */
  private powers: [number, number]

  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon)
    this.powers = [Math.fround(beta1), Math.fround(beta2)]
  }

  /** The β powers a checkpoint saved, written to accBeta1/2 by checkpoint.ts: mirror them too. */
  setPowers(p1: number, p2: number): void {
    this.powers = [p1, p2]
  }

  override applyGradients(
    variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]
  ): void {
    const list = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }))
    const state = this as unknown as AdamState
    const [p1, p2] = this.powers
    const { beta1, beta2 } = this
    // The powers as tfjs keeps them (float32 products), so a resumed run reads back exactly what this one used.
    const next: [number, number] = [
      Math.fround(p1 * Math.fround(beta1)),
      Math.fround(p2 * Math.fround(beta2))
    ]
    tf.tidy(() => {
      const b1 = tf.scalar(beta1)
      const c1 = tf.scalar(1 - beta1)
      const b2 = tf.scalar(beta2)
      const c2 = tf.scalar(1 - beta2)
      const lrT = tf.scalar((this.learningRate * Math.sqrt(1 - p2)) / (1 - p1))
      const epsHat = tf.scalar(this.epsilon * Math.sqrt(1 - p2))
      list.forEach(({ name, tensor: g }, i) => {
        const value = tf.engine().registeredVariables[name]
        state.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false))
        }
        state.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false))
        }
        if (g == null) return
        const m = state.accumulatedFirstMoment[i].variable
        const v = state.accumulatedSecondMoment[i].variable
        const m1 = tf.add(tf.mul(m, b1), tf.mul(g, c1))
        const v1 = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), c2))
        m.assign(m1)
        v.assign(v1)
        value.assign(tf.sub(value, tf.div(tf.mul(m1, lrT), tf.add(tf.sqrt(v1), epsHat))))
      })
      state.accBeta1.assign(tf.scalar(next[0]))
      state.accBeta2.assign(tf.scalar(next[1]))
    })
    this.powers = next
    this.incrementIterations()
  }

  override async setWeights(weightValues: { name: string; tensor: tf.Tensor }[]): Promise<void> {
    await super.setWeights(weightValues)
    // What tfjs's setWeights assigned (β^(iterations+1)); a checkpoint's exact powers follow through setPowers.
    const t = this.iterations + 1
    this.powers = [Math.fround(this.beta1 ** t), Math.fround(this.beta2 ** t)]
  }
}

/** The optimizer every training path uses (Adam, tfjs's defaults for β₁, β₂ and ε). */
export const createAdam = (learningRate: number): tf.AdamOptimizer => new LeanAdam(learningRate)
