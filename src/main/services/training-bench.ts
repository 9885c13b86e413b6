import { parseTrainConfig, type TrainConfigInput } from '../../shared/config'
import type { BackendName, GpuAdapterInfo } from '../../shared/contract/app'
import { timeTrainingSteps, type StepTiming } from '../../engine/bench-steps'
import { initBackend } from '../backends/activate'

export interface TrainingBench extends StepTiming {
  backend: BackendName
  /** The WebGPU adapter (vendor, architecture, description) for webgpu; null for the other backends. */
  adapter: GpuAdapterInfo | null
  /** Why better backends were passed over, and wasm's SIMD/thread facts. */
  notes: string[]
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
> & { steps?: number; warmupSteps?: number }

/**
 * Training speed here (`aestudio bench`): starts the backend, then times the engine's steps. Defaults are the
 * benchmark network (conv, transpose, 64×64×3, latent 64, batch 32, Adam at 1e-3), as torch_ref.py builds it.
 */
export async function benchTraining(
  options: TrainingBenchOptions = { model: 'conv' }
): Promise<TrainingBench> {
  const { steps, warmupSteps, ...rest } = options
  // Options left undefined fall back to the benchmark network, not to the training defaults.
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined))
  const config = parseTrainConfig({ model: 'conv', latent: 64, ...given, lr: 1e-3 })
  const { name, notes, adapter } = await initBackend(config.backend)
  const timing = await timeTrainingSteps(config, { steps, warmupSteps })
  return {
    backend: name,
    adapter: adapter ?? null,
    notes,
    ...timing,
    model: config.model,
    upsample: config.upsample,
    size: config.size,
    channels: config.channels,
    latent: config.latent,
    batch: config.batch
  }
}
