import * as tf from '@tensorflow/tfjs'
import type { KernelConfig, KernelFunc, ResizeNearestNeighborGradAttrs, TensorInfo } from '@tensorflow/tfjs'
import { withOps } from './wasm-ops'

/**
 * The gradient of nearest-neighbour upsampling by a whole factor k (the `resize` decoder's ×2) is the sum over
 * each k×k block of dy: k²·AvgPool(dy, k, stride k) on XNNPACK, ten times faster than wasm's generic kernel.
 * Other sizes and aligned corners go to the built-in kernel.
 */
function resizeNearestNeighborGrad(args: {
  inputs: { images: TensorInfo; dy: TensorInfo }
  backend: tf.KernelBackend
  attrs: ResizeNearestNeighborGradAttrs
}): TensorInfo {
  const { inputs, backend, attrs } = args
  const { images, dy } = inputs
  const [, h, w] = images.shape
  const [, yh, yw] = dy.shape
  const k = yh / h
  // Source row floor(i/k) (or floor((i+½)/k), the same for whole k) makes the blocks exact.
  if (attrs.alignCorners || !Number.isInteger(k) || k < 1 || yw !== k * w || dy.dtype !== 'float32')
    return builtin(args)
  return withOps(backend, (ops) => {
    const mean = ops.run(
      'AvgPool',
      { x: dy },
      { filterSize: k, strides: k, pad: 'valid', dimRoundingMode: undefined }
    )
    if (k === 1) return mean
    const factor = ops.track({
      dataId: backend.write(new Float32Array([k * k]), [], 'float32'),
      shape: [],
      dtype: 'float32'
    })
    return ops.run('Multiply', { a: mean, b: factor })
  })
}

let builtin: (args: object) => TensorInfo

/** Replaces wasm's ResizeNearestNeighborGrad, keeping `original` for what the block sum does not cover. */
export function resizeNearestGradConfig(original: KernelConfig): KernelConfig {
  builtin = (args) => original.kernelFunc(args as Parameters<KernelFunc>[0]) as TensorInfo
  return {
    kernelName: tf.ResizeNearestNeighborGrad,
    backendName: 'wasm',
    kernelFunc: resizeNearestNeighborGrad as unknown as KernelFunc,
    setupFunc: original.setupFunc
  }
}
