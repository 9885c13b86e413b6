import * as tf from '@tensorflow/tfjs'
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs'
import { withOps } from './wasm-ops'

/**
 * wasm's BatchMatMul sends a transposed operand down a scalar loop (70 ms for the 8192×32·32×64 weight gradient
 * of the benchmark's dense layer) but plain products to XNNPACK (4 ms including an explicit transpose). Gradients
 * of dense layers are exactly such transposed products, so transpose first where that is cheap: always for `a`;
 * for `b` only when it is wide (wasm's Transpose is slow on tall matrices, and then the loop is no worse).
 */
function batchMatMul(args: {
  inputs: { a: TensorInfo; b: TensorInfo }
  backend: tf.KernelBackend
  attrs: BatchMatMulAttrs
}) {
  const { inputs, backend, attrs } = args
  let { a, b } = inputs
  let { transposeA, transposeB } = attrs
  const rankB = b.shape.length
  const flipB = transposeB && b.shape[rankB - 2] <= b.shape[rankB - 1]
  if (!transposeA && !flipB) return builtin(args)
  return withOps(backend, (ops) => {
    const swapLast = (x: TensorInfo) => {
      const perm = x.shape.map((_, i) => i)
      perm.splice(-2, 2, perm.length - 1, perm.length - 2)
      return ops.run('Transpose', { x }, { perm })
    }
    if (transposeA) [a, transposeA] = [swapLast(a), false]
    if (flipB) [b, transposeB] = [swapLast(b), false]
    return ops.track(builtin({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA, transposeB } }))
  })
}

let builtin: (args: object) => TensorInfo

/** Replaces wasm's BatchMatMul with the wrapper above around `original`. */
export function batchMatMulConfig(original: KernelConfig): KernelConfig {
  builtin = (args) => original.kernelFunc(args as Parameters<KernelFunc>[0]) as TensorInfo
  return {
    kernelName: tf.BatchMatMul,
    backendName: 'wasm',
    kernelFunc: batchMatMul as unknown as KernelFunc,
    setupFunc: original.setupFunc
  }
}
