import * as tf from '@tensorflow/tfjs'
import type { KernelConfig, KernelFunc, StepAttrs, TensorInfo } from '@tensorflow/tfjs'
import { typeAttr, type TensorflowBackend } from './tensorflow-ops'

/**
 * Step (1 where x > 0, alpha elsewhere, NaN stays NaN) is what every ReLU gradient multiplies by. tfjs-node 4.22
 * builds it from six TensorFlow ops (IsNan, Greater, Fill, Ones, Select, Select) and two small tensors made in
 * JavaScript: 7 ms for a 32×32×32×32 activation where Relu itself takes 0.25 ms, about a sixth of a training step
 * of the benchmark network. For alpha 0, max(sign(x), 0) is the same function (NaN included) in two ops.
 */
function step(args: { inputs: { x: TensorInfo }; backend: TensorflowBackend; attrs: StepAttrs }) {
  const { inputs, backend, attrs } = args
  const { x } = inputs
  if (attrs.alpha !== 0 || x.dtype !== 'float32') return builtin(args)
  const T = [typeAttr(backend, x.dtype)]
  const sign = backend.executeSingleOutput('Sign', T, [x])
  const zero = tf.scalar(0)
  const out = backend.executeSingleOutput('Maximum', T, [sign, zero])
  tf.dispose([sign, zero])
  return out
}

let builtin: (args: object) => TensorInfo

/** tfjs-node's Step, replaced by the two-op form above (and kept for alpha ≠ 0). */
export function tensorflowStepConfig(original: KernelConfig): KernelConfig {
  builtin = (args) => original.kernelFunc(args as Parameters<KernelFunc>[0]) as TensorInfo
  return {
    kernelName: tf.Step,
    backendName: 'tensorflow',
    kernelFunc: step as unknown as KernelFunc
  }
}
