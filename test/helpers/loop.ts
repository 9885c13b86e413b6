// The training loop's inputs as the loop, checkpoint and backend tests build them.
import type { EpochReport, LoopOptions, TrainingSet } from '../../src/engine/loop'
import { Rng } from '../../src/engine/rng'

/** The first `trainCount` images of `pixels` to train on, the rest to validate on. */
export function splitPixels(
  shape: { size: number; channels: number },
  pixels: Uint8Array,
  trainCount: number
): TrainingSet {
  const per = shape.size * shape.size * shape.channels
  return {
    size: shape.size,
    channels: shape.channels,
    train: pixels.subarray(0, trainCount * per),
    trainCount,
    val: pixels.subarray(trainCount * per),
    valCount: pixels.length / per - trainCount
  }
}

/** trainLoop's options for a run from epoch 0 on the config's seed, each epoch's report pushed onto `epochs`. */
export const fromStart = (
  parts: Pick<LoopOptions, 'model' | 'optimizer' | 'data' | 'config'>,
  epochs: EpochReport[]
): LoopOptions => ({
  ...parts,
  rng: new Rng(parts.config.seed),
  startEpoch: 0,
  onEpoch: (r) => void epochs.push(r)
})
