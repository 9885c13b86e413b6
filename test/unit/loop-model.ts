// A tiny dense autoencoder for the loop and checkpoint tests: it implements the Autoencoder interface the real
// models implement, trains in milliseconds on the cpu backend, and can be told to diverge.
import * as tf from '@tensorflow/tfjs'
import { parseTrainConfig, type TrainConfig, type TrainConfigInput } from '../../src/shared/config'
import type { Autoencoder, LossTerms } from '../../src/engine/autoencoder'
import type { EpochReport, LoopOptions } from '../../src/engine/loop'
import { fromStart, splitPixels } from '../helpers/loop'

export interface TinyModel extends Autoencoder {
  /** From this many loss() calls on, the loss is NaN (to exercise the divergence guard). */
  poisonAfter: number
  calls: number
}

export function tinyConfig(over: Partial<TrainConfigInput> = {}): TrainConfig {
  return parseTrainConfig({
    model: 'dense',
    size: 8,
    channels: 1,
    latent: 4,
    batch: 4,
    epochs: 3,
    lr: 0.01,
    ...over
  })
}

export function tinyModel(config: TrainConfig): TinyModel {
  const { size, channels, latent, seed } = config
  const encoder = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [size, size, channels] }),
      tf.layers.dense({ units: latent, kernelInitializer: tf.initializers.glorotUniform({ seed }) })
    ]
  })
  const decoder = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [latent],
        units: size * size * channels,
        activation: 'sigmoid',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 })
      }),
      tf.layers.reshape({ targetShape: [size, size, channels] })
    ]
  })
  const model: TinyModel = {
    config,
    encoder,
    decoder,
    poisonAfter: Infinity,
    calls: 0,
    trainableVariables: [...encoder.trainableWeights, ...decoder.trainableWeights].map(
      (w) => w.read() as tf.Variable
    ),
    encode: (x) => encoder.apply(x) as tf.Tensor2D,
    decode: (z) => decoder.apply(z) as tf.Tensor4D,
    loss(input, target, training): LossTerms {
      const poison = training && ++model.calls > model.poisonAfter
      const terms = tf.tidy(() => {
        const out = decoder.apply(encoder.apply(input)) as tf.Tensor4D
        let recon = tf.mean(tf.squaredDifference(out, target)) as tf.Scalar
        if (poison) recon = tf.mul(recon, NaN)
        return { total: recon, recon: tf.clone(recon) }
      })
      return terms
    },
    dispose() {
      encoder.dispose()
      decoder.dispose()
    }
  }
  return model
}

/** `n` random images of the config's size as NHWC bytes (seeded, so every run sees the same data). */
export function randomPixels(config: TrainConfig, n: number, seed = 7): Uint8Array {
  const per = config.size * config.size * config.channels
  const out = new Uint8Array(n * per)
  let s = seed
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    // Smooth-ish images (a per-image level plus a little noise) so the tiny model can actually learn them.
    out[i] = (((Math.floor(i / per) * 37) % 200) + (s >>> 28)) & 255
  }
  return out
}

/**
 * A tiny model, its optimizer and `n` training plus `valCount` validation images, with trainLoop options (and
 * `extra`) that collect each epoch's report in `epochs`.
 */
export function loopSetup(
  over: Partial<TrainConfigInput>,
  n: number,
  valCount: number,
  extra: Partial<LoopOptions> = {}
) {
  const config = tinyConfig(over)
  const model = tinyModel(config)
  const optimizer = tf.train.adam(config.lr)
  const per = config.size * config.size * config.channels
  const data = splitPixels(config, randomPixels(config, n + valCount), n)
  const epochs: EpochReport[] = []
  const opts: LoopOptions = { ...fromStart({ model, optimizer, data, config }, epochs), ...extra }
  const dispose = () => {
    model.dispose()
    optimizer.dispose()
  }
  return { config, model, optimizer, data, epochs, opts, dispose, per }
}
