import * as tf from '@tensorflow/tfjs'
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs'
import { withOps } from './wasm-ops'

/**
 * wasm's BatchMatMul sends a transposed operand down a scalar loop (70 ms for the 8192×32·32×64 weight gradient
 * of the benchmark's dense layer) but plain products to XNNPACK (4 ms including an explicit transpose). Gradients
 * of dense layers are exactly such transposed products, so make every product plain:
 * - Aᵀ·B: transpose A (an activation batch, or a weight).
 * - A·Bᵀ with A the smaller (a batch of activations times a big weight): (B·Aᵀ)ᵀ, which transposes only A and
 *   the small result; wasm's Transpose of a big weight costs as much as the product itself.
 * - A·Bᵀ otherwise: transpose B.
 */
function batchMatMul(args: {
  inputs: { a: TensorInfo; b: TensorInfo }
  backend: tf.KernelBackend
  attrs: BatchMatMulAttrs
}) {
  const { inputs, backend, attrs } = args
  const { a, b } = inputs
  const { transposeA, transposeB } = attrs
  if (!transposeA && !transposeB) return builtin(args)
  const plain = (x: TensorInfo, y: TensorInfo) =>
    builtin({ inputs: { a: x, b: y }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } })
  return withOps(backend, (ops) => {
    const t = (x: TensorInfo) => {
      const perm = x.shape.map((_, i) => i)
      perm.splice(-2, 2, perm.length - 1, perm.length - 2)
      return ops.run('Transpose', { x }, { perm })
    }
    const a2 = transposeA ? t(a) : a
    if (!transposeB) return ops.track(plain(a2, b))
    const size = (x: TensorInfo) => x.shape.reduce((p, d) => p * d, 1)
    if (size(a2) <= size(b)) return t(ops.track(plain(b, t(a2))))
    return ops.track(plain(a2, t(b)))
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
