import type * as tf from '@tensorflow/tfjs'
import type { TrainConfig } from '../shared/config'

/** Scalars one training (or validation) step reports; `total` is what the optimizer minimises. */
export interface LossTerms {
  total: tf.Scalar
  /** Reconstruction error (mse or bce, per pixel mean). */
  recon: tf.Scalar
  /** VAE only: the KL divergence term, before β. */
  kl?: tf.Scalar
  /** Sparse / contractive only: the penalty, before λ. */
  penalty?: tf.Scalar
}

/**
 * Rows `offset`… of a batch of `of` samples, trained apart from the rest (data-parallel training): the slice
 * draws its rows of the whole batch's random numbers, so the slices together see exactly what the batch would.
 */
export interface BatchSlice {
  offset: number
  of: number
}

/**
 * An autoencoder built from one TrainConfig: an encoder and a decoder as tf.LayersModels (so they can be saved in
 * TensorFlow.js layers format) plus the loss that defines its kind. Pixels are NHWC float32 in [0, 1].
 */
export interface Autoencoder {
  readonly config: TrainConfig
  readonly encoder: tf.LayersModel
  readonly decoder: tf.LayersModel
  /** Every trainable variable of encoder and decoder, in a stable order (checkpoints rely on it). */
  readonly trainableVariables: tf.Variable[]
  /** The code used for reconstructions and morphs: the mean for a VAE, the code itself otherwise. */
  encode(x: tf.Tensor4D): tf.Tensor2D
  decode(z: tf.Tensor2D): tf.Tensor4D
  /**
   * The loss for one batch. `input` is what the encoder sees (noisy for denoising), `target` what it must
   * produce. `training` turns on the VAE's sampling; `seed` makes that sampling reproducible; `slice` says which
   * rows of a larger batch `input` is.
   */
  loss(
    input: tf.Tensor4D,
    target: tf.Tensor4D,
    training: boolean,
    seed?: number,
    slice?: BatchSlice
  ): LossTerms
  dispose(): void
}
