import * as tf from '@tensorflow/tfjs'

/**
 * Hands out seeded initializers so one config always builds the same weights: each layer's kernel gets its own
 * seed derived from the run's seed and the layer's position in the build order.
 */
export class SeededInit {
  private next = 0
  constructor(private readonly seed: number) {}

  kernel(): ReturnType<typeof tf.initializers.glorotUniform> {
    // Spread layer seeds apart so neighbouring runs (seed 1, seed 2) share no layer streams.
    return tf.initializers.glorotUniform({ seed: this.seed * 1009 + this.next++ })
  }
}

type Activation = 'relu' | 'sigmoid' | 'linear'

export const dense = (init: SeededInit, units: number, activation: Activation = 'linear') =>
  tf.layers.dense({ units, activation, kernelInitializer: init.kernel(), biasInitializer: 'zeros' })

export const conv = (init: SeededInit, filters: number, strides: number, activation: Activation) =>
  tf.layers.conv2d({
    filters,
    kernelSize: 3,
    strides,
    padding: 'same',
    activation,
    kernelInitializer: init.kernel(),
    biasInitializer: 'zeros'
  })

export const convTranspose = (init: SeededInit, filters: number, activation: Activation) =>
  tf.layers.conv2dTranspose({
    filters,
    kernelSize: 3,
    strides: 2,
    padding: 'same',
    activation,
    kernelInitializer: init.kernel(),
    biasInitializer: 'zeros'
  })
