import * as tf from '@tensorflow/tfjs'
import type { TrainConfig } from '../shared/config'
import { createAdam } from './adam'
import type { Autoencoder } from './autoencoder'
import { batchGradients, type GradientStep } from './loop'
import { buildModel } from './models'

export interface StepTiming {
  imagesPerSecond: number
  /** Mean wall time of one training step (forward, backward, Adam update). */
  stepMs: number
  steps: number
  warmupSteps: number
}

/**
 * Times training steps of `config`'s model on the active backend with synthetic data, as
 * shared/bench/torch_ref.py does: 4 batches of uniform noise used in turn, Adam at the config's learning rate,
 * the model's own loss, a few warm-up steps first.
 */
export async function timeTrainingSteps(
  config: TrainConfig,
  {
    steps = 24,
    warmupSteps = 4,
    gradientsFor
  }: {
    steps?: number
    warmupSteps?: number
    /** The host's way to take a batch's gradients (data-parallel replicas), given the model; disposed after. */
    gradientsFor?: (
      model: Autoencoder
    ) => Promise<{ gradients: GradientStep; dispose(): Promise<void> } | null>
  } = {}
): Promise<StepTiming> {
  if (!Number.isInteger(steps) || steps < 1) throw new Error('steps must be a whole number of at least 1')
  const model = buildModel(config)
  const parallel = (await gradientsFor?.(model)) ?? null
  const optimizer = createAdam(config.lr)
  const { batch, size, channels } = config
  const data = tf.randomUniform(
    [4 * batch, size, size, channels],
    0,
    1,
    'float32',
    config.seed
  ) as tf.Tensor4D
  const batches = Array.from({ length: 4 }, (_, i) =>
    tf.slice(data, [i * batch, 0, 0, 0], [batch, -1, -1, -1])
  )
  const vars = model.trainableVariables
  const step = async (i: number) => {
    const x = batches[i % 4]
    const r = parallel ? await parallel.gradients(x, x, i) : batchGradients(model, x, x, i)
    optimizer.applyGradients(vars.map((v, k) => ({ name: v.name, tensor: r.grads[k] })))
    // recon may be the very tensor `value` is (a model with no extra terms).
    tf.dispose([...[r.recon, r.kl].filter((t) => t && t !== r.value), ...r.grads] as tf.Tensor[])
    return r.value
  }
  try {
    for (let i = 0; i < warmupSteps; i++) (await step(i)).dispose()
    const t = performance.now()
    let last: tf.Scalar | undefined
    for (let i = 0; i < steps; i++) {
      last?.dispose()
      last = await step(i)
    }
    // Reading the last loss waits for any backend that queues work.
    await last!.data()
    last!.dispose()
    const seconds = (performance.now() - t) / 1000
    return {
      imagesPerSecond: Math.round(((steps * batch) / seconds) * 10) / 10,
      stepMs: Math.round((seconds * 10000) / steps) / 10,
      steps,
      warmupSteps
    }
  } finally {
    await parallel?.dispose()
    tf.dispose([data, ...batches])
    optimizer.dispose()
    model.dispose()
  }
}
