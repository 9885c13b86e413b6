import type { TrainConfig } from '../shared/config'
import type { JobControl } from '../shared/control'
import { createAdam } from './adam'
import type { Autoencoder } from './autoencoder'
import { captureState, decodeCheckpoint, encodeCheckpoint, restoreState } from './checkpoint'
import {
  trainLoop,
  type BatchReport,
  type EpochReport,
  type GradientStep,
  type LoopOutcome,
  type TrainingSet
} from './loop'
import { buildModel } from './models/index'
import type { RawImage } from './pixels'
import { previewRows, type PreviewSource } from './preview'
import { Rng } from './rng'
import { initialTrainState, parseTrainState, type TrainState } from './train-state'

/** What one training session needs: the run's config, its pixels, and where to continue from. */
export interface SessionStart {
  config: TrainConfig
  data: TrainingSet
  /** The `last` checkpoint's bytes to continue from (a resume), or none for a fresh run. */
  resume?: Uint8Array
  /** The fixed images every epoch's preview shows (the validation split, else the training split). */
  previewSource: PreviewSource
}

/** Everything an epoch leaves for the host to keep: the report, the checkpoint to write, the preview. */
export interface EpochOutput {
  report: EpochReport
  /** The full checkpoint after this epoch (weights, Adam's state, RNG, config), as bytes to write. */
  checkpoint: Uint8Array
  /** Whether this epoch is the best so far (validation loss, else training loss): it is also `best`. */
  best: boolean
  /** Preview rows: originals, (denoising: the noisy inputs,) reconstructions. */
  preview: RawImage[][]
}

export interface SessionHooks {
  control?: JobControl
  onBatch?(report: BatchReport): void
  onPause?(paused: boolean): void
  /** Awaited after every epoch, before the next starts: the host writes the checkpoint here. */
  onEpoch(output: EpochOutput): Promise<void> | void
  residentBytes?(): number
  /** Tests swap in a model that misbehaves on purpose; everything else uses the real builder. */
  buildModel?(config: TrainConfig): Autoencoder
  /**
   * The host's way to take a batch's gradients, given the model (wasm's data-parallel replicas); null to take
   * them here. Disposed when the session ends.
   */
  gradientsFor?(model: Autoencoder): Promise<ParallelGradients | null | undefined>
}

/** Gradients computed elsewhere (worker threads), equal to the loop's own within float rounding. */
export interface ParallelGradients {
  gradients: GradientStep
  dispose(): Promise<void>
}

export interface SessionOutcome extends LoopOutcome {
  /** The epoch the session started after (0 for a new run, the checkpoint's epoch on resume). */
  startEpoch: number
}

/**
 * One run's training on the active backend, wherever it runs (the CLI, a job process, the GPU worker page):
 * builds the model (or restores it, Adam and the RNG from `resume`), trains to `config.epochs`, and hands every
 * epoch's checkpoint bytes and preview to the host. Pure TensorFlow.js: the host picks the backend before and
 * keeps the files after.
 */
export async function runSession(start: SessionStart, hooks: SessionHooks): Promise<SessionOutcome> {
  const { config, data } = start
  const model = (hooks.buildModel ?? buildModel)(config)
  const optimizer = createAdam(config.lr)
  let parallel: ParallelGradients | null | undefined
  try {
    parallel = await hooks.gradientsFor?.(model)
    let rng = new Rng(config.seed)
    let startEpoch = 0
    let best: number | null = null
    // The schedule's and early stopping's counters; they continue from a checkpoint like the RNG does.
    let state: TrainState = initialTrainState(config)
    if (start.resume) {
      const ckpt = decodeCheckpoint(start.resume)
      await restoreState(model, optimizer, ckpt)
      rng = Rng.fromState(ckpt.rng)
      startEpoch = ckpt.epoch
      best = ckpt.bestValLoss
      state = parseTrainState(ckpt.trainState, config)
    }
    const outcome = await trainLoop({
      model,
      optimizer,
      data,
      config,
      rng,
      startEpoch,
      state,
      gradients: parallel?.gradients,
      control: hooks.control,
      residentBytes: hooks.residentBytes,
      onBatch: hooks.onBatch,
      onPause: hooks.onPause,
      onEpoch: async (report) => {
        // Validation loss picks the best checkpoint; without a validation split, the training loss does.
        const score = report.valLoss ?? report.loss
        const improved = best === null || score < best
        if (improved) best = score
        const checkpoint = encodeCheckpoint({
          epoch: report.epoch,
          config,
          rng: rng.state(),
          bestValLoss: best,
          trainState: state,
          ...(await captureState(model, optimizer))
        })
        const preview = await previewRows(model, start.previewSource, config)
        await hooks.onEpoch({ report, checkpoint, best: improved, preview })
      }
    })
    return { ...outcome, startEpoch }
  } finally {
    await parallel?.dispose()
    model.dispose()
    optimizer.dispose()
  }
}
