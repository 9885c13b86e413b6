import * as tf from '@tensorflow/tfjs'
import { parseTrainConfig, type TrainConfigInput } from '../../shared/config'
import type { BackendName } from '../../shared/contract/app'
import { initBackend, type BackendOptions } from './backends'
import { batchGradients } from './loop'
import { startTrainingReplicas } from './replicas'
import { buildModel } from './models'

export interface TrainingBench {
  backend: BackendName
  /** Why better backends were passed over, and wasm's SIMD/thread facts. */
  notes: string[]
  /** The threads wasm trained on; null for backends that manage their own. */
  threads: number | null
  imagesPerSecond: number
  /** Mean wall time of one training step (forward, backward, Adam update). */
  stepMs: number
  steps: number
  warmupSteps: number
  model: string
  upsample: string
  size: number
  channels: number
  latent: number
  batch: number
}

export type TrainingBenchOptions = Pick<
  TrainConfigInput,
  'model' | 'upsample' | 'size' | 'channels' | 'latent' | 'batch' | 'backend'
> & { steps?: number; warmupSteps?: number } & BackendOptions

/**
 * Times training steps on synthetic data, as shared/bench/torch_ref.py does: 4 batches of uniform noise used in
 * turn, Adam (lr 1e-3), the model's own loss, a few warm-up steps first. Defaults are the benchmark network
 * (conv, transpose, 64×64×3, latent 64, batch 32).
 */
export async function benchTraining(
  options: TrainingBenchOptions = { model: 'conv' }
): Promise<TrainingBench> {
  const { steps = 24, warmupSteps = 4, threads: wantedThreads, split, ...rest } = options
  if (!Number.isInteger(steps) || steps < 1) throw new Error('steps must be a whole number of at least 1')
  // Options left undefined fall back to the benchmark network, not to the training defaults.
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined))
  const config = parseTrainConfig({ model: 'conv', latent: 64, ...given, lr: 1e-3 })
  const backend = await initBackend(config.backend, { threads: wantedThreads, split })
  const { name, notes } = backend
  const model = buildModel(config)
  const replicas = await startTrainingReplicas(model, backend)
  const optimizer = tf.train.adam(config.lr)
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
    const r = replicas ? await replicas.gradients(x, x, i) : batchGradients(model, x, x, i)
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
      backend: name,
      notes,
      threads: backend.threads ?? null,
      imagesPerSecond: Math.round(((steps * batch) / seconds) * 10) / 10,
      stepMs: Math.round((seconds * 10000) / steps) / 10,
      steps,
      warmupSteps,
      model: config.model,
      upsample: config.upsample,
      size,
      channels,
      latent: config.latent,
      batch
    }
  } finally {
    await replicas?.dispose()
    tf.dispose([data, ...batches])
    optimizer.dispose()
    model.dispose()
  }
}
