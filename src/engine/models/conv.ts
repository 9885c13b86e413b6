import * as tf from '@tensorflow/tfjs'
import type { TrainConfig } from '../../shared/config'
import { conv, convTranspose, dense, type SeededInit } from './layers'

/**
 * Encoder: 3 × (conv 3×3, stride 2, same, ReLU) with 32/64/128 filters → flatten → dense(latent), linear.
 * `heads` = 2 gives the VAE's [μ, log σ²] outputs (two dense heads on the same trunk).
 */
export function convEncoder(config: TrainConfig, init: SeededInit, heads: 1 | 2 = 1): tf.LayersModel {
  const input = tf.input({ shape: [config.size, config.size, config.channels], name: 'image' })
  let h = input
  for (const filters of [32, 64, 128]) h = conv(init, h, filters, 2, 'relu')
  const flat = tf.layers.flatten().apply(h) as tf.SymbolicTensor
  const outputs = Array.from({ length: heads }, () => dense(init, flat, config.latent))
  return tf.model({ inputs: input, outputs: heads === 1 ? outputs[0] : outputs, name: 'encoder' })
}

/**
 * Decoder: dense(S/8·S/8·128, ReLU) → reshape → 3 upsampling stages to 64/32/C filters, sigmoid out. `transpose`
 * is conv-transpose 3×3 stride 2 (the benchmark network, as shared/bench/torch_ref.py builds it); `resize` is
 * nearest-neighbour ×2 then conv 3×3, which avoids the transpose's checkerboard artifacts.
 */
export function convDecoder(config: TrainConfig, init: SeededInit): tf.LayersModel {
  const s = config.size / 8
  const input = tf.input({ shape: [config.latent], name: 'code' })
  let h = dense(init, input, s * s * 128, 'relu')
  h = tf.layers.reshape({ targetShape: [s, s, 128] }).apply(h) as tf.SymbolicTensor
  const stages: [number, 'relu' | 'sigmoid'][] = [
    [64, 'relu'],
    [32, 'relu'],
    [config.channels, 'sigmoid']
  ]
  for (const [filters, activation] of stages) {
    if (config.upsample === 'transpose') {
      h = convTranspose(init, h, filters, activation)
    } else {
      h = tf.layers.upSampling2d({ size: [2, 2], interpolation: 'nearest' }).apply(h) as tf.SymbolicTensor
      h = conv(init, h, filters, 1, activation)
    }
  }
  return tf.model({ inputs: input, outputs: h, name: 'decoder' })
}
