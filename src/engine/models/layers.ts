import * as tf from '@tensorflow/tfjs'

type Initializer = ReturnType<typeof tf.initializers.zeros>

/**
 * Seeded initializers, so one config always builds the same weights: each weight gets its own seed derived from
 * the run's seed and its position in the build order. The scheme is PyTorch's default for Linear, Conv2d and
 * ConvTranspose2d (weights and biases uniform in ±1/√fanIn, fanIn counted as PyTorch does), so the benchmark
 * network starts like shared/bench/torch_ref.py's and reaches the same quality in the same number of epochs.
 */
export class SeededInit {
  private next = 0
  constructor(private readonly seed: number) {}

  // Spread seeds apart so neighbouring runs (seed 1, seed 2) share no weight streams.
  private nextSeed = () => this.seed * 1009 + this.next++

  kernel(): Initializer {
    // varianceScaling 'uniform' draws from ±√(3·scale/fanIn); scale ⅓ gives ±1/√fanIn.
    return tf.initializers.varianceScaling({
      scale: 1 / 3,
      mode: 'fanIn',
      distribution: 'uniform',
      seed: this.nextSeed()
    })
  }

  bias(fanIn: number): Initializer {
    const bound = 1 / Math.sqrt(fanIn)
    return tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: this.nextSeed() })
  }
}

type Activation = 'relu' | 'sigmoid' | 'linear'
type Sym = tf.SymbolicTensor

const lastDim = (x: Sym) => x.shape[x.shape.length - 1] as number

export const dense = (init: SeededInit, x: Sym, units: number, activation: Activation = 'linear'): Sym =>
  tf.layers
    .dense({ units, activation, kernelInitializer: init.kernel(), biasInitializer: init.bias(lastDim(x)) })
    .apply(x) as Sym

export const conv = (
  init: SeededInit,
  x: Sym,
  filters: number,
  strides: number,
  activation: Activation
): Sym =>
  tf.layers
    .conv2d({
      filters,
      kernelSize: 3,
      strides,
      padding: 'same',
      activation,
      kernelInitializer: init.kernel(),
      biasInitializer: init.bias(9 * lastDim(x))
    })
    .apply(x) as Sym

/** 3×3 stride-2 transposed convolution; PyTorch counts its fan-in over the output channels. */
export const convTranspose = (init: SeededInit, x: Sym, filters: number, activation: Activation): Sym =>
  tf.layers
    .conv2dTranspose({
      filters,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation,
      kernelInitializer: init.kernel(),
      biasInitializer: init.bias(9 * filters)
    })
    .apply(x) as Sym
