import { parseTrainConfig, type TrainConfigInput } from '../../shared/config'
import type { BackendName, GpuAdapterInfo } from '../../shared/contract/app'
import { timeTrainingSteps, type StepTiming } from '../../engine/bench-steps'
import { initBackend, type BackendOptions } from '../backends/activate'
import { startTrainingReplicas } from '../backends/replicas'

export interface TrainingBench extends StepTiming {
  backend: BackendName
  /** The WebGPU adapter (vendor, architecture, description) for webgpu; null for the other backends. */
  adapter: GpuAdapterInfo | null
  /** Why better backends were passed over, and wasm's SIMD/thread facts. */
  notes: string[]
  /** The threads wasm trained on (replicas or XNNPACK's pool); null for backends that manage their own. */
  threads: number | null
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
 * Training speed here (`aestudio bench`): starts the backend, then times the engine's steps. Defaults are the
 * benchmark network (conv, transpose, 64×64×3, latent 64, batch 32, Adam at 1e-3), as torch_ref.py builds it.
 */
export async function benchTraining(
  options: TrainingBenchOptions = { model: 'conv' }
): Promise<TrainingBench> {
  const { steps, warmupSteps, threads, split, ...rest } = options
  // Options left undefined fall back to the benchmark network, not to the training defaults.
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined))
  const config = parseTrainConfig({ model: 'conv', latent: 64, ...given, lr: 1e-3 })
  const backend = await initBackend(config.backend, { threads, split })
  const { name, notes, adapter } = backend
  const timing = await timeTrainingSteps(config, {
    steps,
    warmupSteps,
    gradientsFor: (model) => startTrainingReplicas(model, backend).then((r) => r ?? null)
  })
  return {
    backend: name,
    adapter: adapter ?? null,
    notes,
    // Read after the steps: replicas that could not start leave one thread.
    threads: backend.threads ?? null,
    ...timing,
    model: config.model,
    upsample: config.upsample,
    size: config.size,
    channels: config.channels,
    latent: config.latent,
    batch: config.batch
  }
}
