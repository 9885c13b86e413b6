import * as tf from '@tensorflow/tfjs'

const EPSILON = 1e-7

/** Per-pixel mean reconstruction error: squared error, or binary cross-entropy on probabilities in [0, 1]. */
export function reconstruction(pred: tf.Tensor, target: tf.Tensor, kind: 'mse' | 'bce'): tf.Scalar {
  return tf.tidy(() => {
    if (kind === 'mse') return tf.mean<tf.Scalar>(tf.squaredDifference(pred, target))
    const p = tf.clipByValue(pred, EPSILON, 1 - EPSILON)
    const ce = tf.add(tf.mul(target, tf.log(p)), tf.mul(tf.sub(1, target), tf.log1p(tf.neg(p))))
    return tf.neg(tf.mean<tf.Scalar>(ce))
  })
}

/**
 * KL(N(μ, σ²) ‖ N(0, 1)) summed over the latent units, averaged over the batch:
 * ½ Σ (σ² + μ² − 1 − log σ²).
 */
export function klDivergence(mu: tf.Tensor2D, logVar: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const perUnit = tf.sub(tf.add(tf.exp(logVar), tf.square(mu)), tf.add(1, logVar))
    return tf.mean(tf.mul(0.5, tf.sum(perUnit, 1)))
  })
}

/** L1 activity penalty: Σ |code| per sample, averaged over the batch. */
export function l1Activity(code: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sum(tf.abs(code), 1)))
}

/**
 * Exact squared Frobenius norm of the encoder Jacobian ∂code/∂x, averaged over the batch, for a chain of dense
 * layers x → relu(xW₁+b₁) → … → relu(·) → ·W_k+b_k (linear code). Per sample J = W_kᵀ D_{k−1} … D₁ W₁ᵀ with D the
 * ReLU derivatives (a 0/1 diagonal read off the activations). With M = W_kᵀ D_{k−1} … W₂ᵀ D₁ (latent × h₁) the
 * norm is either Σ (M W₁ᵀ)² directly, or tr(M G Mᵀ) = Σ (M G) ⊙ M with G = W₁ᵀW₁ (h₁ × h₁); both are exact, and
 * whichever needs fewer multiply-adds for this batch is used (the input width S·S·C is in the thousands).
 *
 * `kernels` are W₁…W_k ([in, out] each), `hidden` the ReLU outputs h₁…h_{k−1} for the batch.
 */
export function jacobianPenalty(kernels: tf.Tensor2D[], hidden: tf.Tensor2D[]): tf.Scalar {
  if (kernels.length !== hidden.length + 1 || kernels.length < 2)
    throw new Error('jacobianPenalty needs k kernels and k − 1 hidden activations (k ≥ 2)')
  return tf.tidy(() => {
    const k = kernels.length
    const n = hidden[0].shape[0]
    const latent = kernels[k - 1].shape[1]
    // Rows of M for all samples stacked: [N·latent, h], starting from W_kᵀ D_{k−1}.
    const rowsOf = (h: tf.Tensor2D) => tf.expandDims(tf.step(h), 1)
    let m = tf.mul(tf.expandDims(tf.transpose(kernels[k - 1]), 0), rowsOf(hidden[k - 2])) as tf.Tensor3D
    for (let i = k - 2; i >= 1; i--) {
      // M ← (M W_{i+1}ᵀ) D_i
      const next = tf.matMul(tf.reshape(m, [n * latent, -1]), kernels[i], false, true)
      m = tf.mul(tf.reshape(next, [n, latent, -1]), rowsOf(hidden[i - 1])) as tf.Tensor3D
    }
    const [inputs, h1] = kernels[0].shape
    const rows = tf.reshape(m, [n * latent, h1])
    const direct = n * latent * h1 * inputs
    const viaGram = inputs * h1 * h1 + n * latent * h1 * h1
    const total =
      direct <= viaGram
        ? tf.sum(tf.square(tf.matMul(rows, kernels[0], false, true)))
        : gramNorm(rows as tf.Tensor2D, kernels[0])
    return tf.div(total, n)
  })
}

/**
 * Σ (M G) ⊙ M with G = W₁ᵀW₁, with its gradient written out: ∂/∂M = 2·M·G and ∂/∂W₁ = 2·W₁·(MᵀM) (G is
 * symmetric). Autodiff would differentiate G = W₁ᵀW₁ with two more input-wide products; this needs one.
 */
const gramNorm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [m, w1, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc]
  const mg = tf.matMul(m, tf.matMul(w1, w1, true, false))
  save([m, w1, mg])
  return {
    value: tf.sum<tf.Scalar>(tf.mul(mg, m)),
    gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => {
      const [sm, sw1, smg] = saved as tf.Tensor2D[]
      const scale = tf.mul(dy, 2)
      return [tf.mul(smg, scale), tf.mul(tf.matMul(sw1, tf.matMul(sm, sm, true, false)), scale)]
    }
  }
}) as (m: tf.Tensor2D, w1: tf.Tensor2D) => tf.Scalar
