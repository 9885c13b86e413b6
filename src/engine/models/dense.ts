import * as tf from '@tensorflow/tfjs'
import type { TrainConfig } from '../../shared/config'
import { dense, type SeededInit } from './layers'

/** Encoder: flatten → Dense 512 (ReLU) → 256 (ReLU) → latent (linear). */
export function denseEncoder(config: TrainConfig, init: SeededInit): tf.LayersModel {
  const input = tf.input({ shape: [config.size, config.size, config.channels], name: 'image' })
  let h = tf.layers.flatten().apply(input) as tf.SymbolicTensor
  h = dense(init, h, 512, 'relu')
  h = dense(init, h, 256, 'relu')
  h = dense(init, h, config.latent)
  return tf.model({ inputs: input, outputs: h, name: 'encoder' })
}

/** Decoder: Dense 256 (ReLU) → 512 (ReLU) → S·S·C (sigmoid) → reshape to the image. */
export function denseDecoder(config: TrainConfig, init: SeededInit): tf.LayersModel {
  const { size, channels } = config
  const input = tf.input({ shape: [config.latent], name: 'code' })
  let h = dense(init, input, 256, 'relu')
  h = dense(init, h, 512, 'relu')
  h = dense(init, h, size * size * channels, 'sigmoid')
  h = tf.layers.reshape({ targetShape: [size, size, channels] }).apply(h) as tf.SymbolicTensor
  return tf.model({ inputs: input, outputs: h, name: 'decoder' })
}

/** The encoder's Dense layers in order: what the contractive penalty differentiates through. */
export const denseLayers = (encoder: tf.LayersModel): tf.layers.Layer[] =>
  encoder.layers.filter((l) => l.getClassName() === 'Dense')
