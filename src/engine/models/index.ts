import * as tf from '@tensorflow/tfjs'
import { COLORIZE_NEEDS_COLOUR, type TrainConfig } from '../../shared/config'
import type { Autoencoder, BatchSlice, LossTerms } from '../autoencoder'
import { jacobianPenalty, klDivergence, l1Activity, reconstruction } from '../losses'
import { convDecoder, convEncoder } from './conv'
import { denseDecoder, denseEncoder, denseLayers } from './dense'
import { toGrey } from './grey'
import { SeededInit } from './layers'

/** What differs between the kinds: how a batch is encoded for the loss, and what is added to the reconstruction. */
interface Objective {
  /** Code to decode, plus the extra terms (already weighted into `extra`). */
  forward(
    input: tf.Tensor4D,
    training: boolean,
    seed?: number,
    slice?: BatchSlice
  ): { code: tf.Tensor2D; terms: Partial<LossTerms> }
  /** The extra loss added to the reconstruction error. */
  extra(terms: Partial<LossTerms>): tf.Scalar | null
}

class Model implements Autoencoder {
  readonly trainableVariables: tf.Variable[]

  constructor(
    readonly config: TrainConfig,
    readonly encoder: tf.LayersModel,
    readonly decoder: tf.LayersModel,
    private readonly objective: (model: Model) => Objective
  ) {
    // LayerVariable.read() is the backing tf.Variable, so optimizers and checkpoints update the models in place.
    this.trainableVariables = [...encoder.trainableWeights, ...decoder.trainableWeights].map(
      (w) => w.read() as tf.Variable
    )
  }

  encode(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      // Colourisation sees only luminance, so colour images (previews, exports) are greyed on the way in.
      const input = this.config.model === 'colorize' ? toGrey(x) : x
      const out = this.encoder.apply(input) as tf.Tensor2D | tf.Tensor2D[]
      return Array.isArray(out) ? out[0] : out
    })
  }

  decode(z: tf.Tensor2D): tf.Tensor4D {
    return this.decoder.apply(z) as tf.Tensor4D
  }

  // The parameters are Autoencoder's, documented there.
  loss(...[input, target, training, seed, slice]: Parameters<Autoencoder['loss']>): LossTerms {
    const terms = tf.tidy(() => {
      const objective = this.objective(this)
      const { code, terms } = objective.forward(input, training, seed, slice)
      const recon = reconstruction(this.decode(code), target, this.config.loss)
      const extra = objective.extra(terms)
      const out: Record<string, tf.Tensor> = { ...terms, recon, total: extra ? tf.add(recon, extra) : recon }
      return out
    })
    return terms as unknown as LossTerms
  }

  dispose(): void {
    this.encoder.dispose()
    this.decoder.dispose()
  }
}

const plain = (model: Model): Objective => ({
  forward: (x) => ({ code: model.encode(x), terms: {} }),
  extra: () => null
})

const sparse = (model: Model): Objective => ({
  forward: (x) => {
    const code = model.encode(x)
    return { code, terms: { penalty: l1Activity(code) } }
  },
  extra: (t) => tf.mul<tf.Scalar>(model.config.lambda, t.penalty!)
})

/**
 * VAE: the encoder gives μ and log σ²; training decodes z = μ + σ·ε (the reparameterization trick), evaluation
 * decodes μ. The reconstruction is a per-pixel mean, so β·KL is divided by the pixel count: the total is the
 * β-VAE objective (summed reconstruction + β·KL) divided by S·S·C, which keeps β = 1 meaning the real ELBO.
 * `kl` is reported as the true KL per sample.
 */
const variational = (model: Model): Objective => ({
  forward: (x, training, seed, slice) => {
    const [mu, logVar] = model.encoder.apply(x) as tf.Tensor2D[]
    const kl = klDivergence(mu, logVar)
    if (!training) return { code: mu, terms: { kl } }
    // A slice takes its rows of the whole batch's draw.
    const eps = slice
      ? tf.slice(tf.randomNormal([slice.of, mu.shape[1]], 0, 1, 'float32', seed), [slice.offset, 0], mu.shape)
      : tf.randomNormal(mu.shape, 0, 1, 'float32', seed)
    return { code: tf.add(mu, tf.mul(tf.exp(tf.mul(0.5, logVar)), eps)), terms: { kl } }
  },
  extra: (t) => {
    const { size, channels, beta } = model.config
    return tf.mul<tf.Scalar>(beta / (size * size * channels), t.kl!)
  }
})

/** Contractive: the dense encoder run layer by layer so the exact Jacobian penalty can read its activations. */
const contractive = (model: Model): Objective => ({
  forward: (x) => {
    const layers = denseLayers(model.encoder)
    const hidden: tf.Tensor2D[] = []
    let h = tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D
    layers.forEach((layer, i) => {
      h = layer.apply(h) as tf.Tensor2D
      if (i < layers.length - 1) hidden.push(h)
    })
    const kernels = layers.map((l) => l.trainableWeights[0].read() as tf.Tensor2D)
    return { code: h, terms: { penalty: jacobianPenalty(kernels, hidden) } }
  },
  extra: (t) => tf.mul<tf.Scalar>(model.config.lambda, t.penalty!)
})

/**
 * Builds the autoencoder a config describes. Pure: the same config (seed included) gives identical weights.
 * Weights live in the backend that is active when this is called, so pick the backend first.
 */
export function buildModel(config: TrainConfig): Autoencoder {
  const init = new SeededInit(config.seed)
  switch (config.model) {
    case 'dense':
      return new Model(config, denseEncoder(config, init), denseDecoder(config, init), plain)
    case 'contractive':
      return new Model(config, denseEncoder(config, init), denseDecoder(config, init), contractive)
    case 'conv':
    case 'denoising':
      return new Model(config, convEncoder(config, init), convDecoder(config, init), plain)
    case 'sparse':
      return new Model(config, convEncoder(config, init), convDecoder(config, init), sparse)
    case 'vae':
      return new Model(config, convEncoder(config, init, 2), convDecoder(config, init), variational)
    case 'colorize':
      // Checked again here for configs that bypassed the schema (old checkpoints, tests).
      if (config.channels !== 3) throw new Error(COLORIZE_NEEDS_COLOUR)
      return new Model(
        config,
        convEncoder({ ...config, channels: 1 }, init),
        convDecoder(config, init),
        plain
      )
  }
}

/** Decodes `count` codes drawn from the prior N(0, I): new images from a VAE (or any model, less meaningfully). */
export function samplePrior(model: Autoencoder, count: number, seed: number): tf.Tensor4D {
  return tf.tidy(() => model.decode(tf.randomNormal([count, model.config.latent], 0, 1, 'float32', seed)))
}
