import * as tf from '@tensorflow/tfjs'
import { batchMatMulConfig } from './batch-matmul'
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter'
import { conv2DBackpropInputConfig } from './conv2d-backprop-input'
import { resizeNearestGradConfig } from './resize-nearest-grad'
import { resizeNearestGradCpuConfig } from './resize-nearest-grad-cpu'
import { tensorflowStepConfig } from './tensorflow-step'

/** Built-in wasm kernels we wrap or replace with faster formulations, given the built-in one. */
const OVERRIDES: Record<string, (builtin: tf.KernelConfig) => tf.KernelConfig> = {
  [tf.Conv2DBackpropInput]: conv2DBackpropInputConfig,
  [tf.BatchMatMul]: batchMatMulConfig,
  [tf.ResizeNearestNeighborGrad]: resizeNearestGradConfig
}

let registered = false

/**
 * Training kernels for the wasm backend: Conv2DBackpropFilter, which it lacks, and faster Conv2DBackpropInput,
 * BatchMatMul and ResizeNearestNeighborGrad (see their files). Call before the wasm backend initialises, so the
 * built-ins' setups still run.
 */
export function registerWasmKernels(): void {
  if (registered) return
  registered = true
  tf.registerKernel(conv2DBackpropFilterConfig)
  for (const [name, make] of Object.entries(OVERRIDES)) {
    const builtin = tf.getKernel(name, 'wasm')
    if (!builtin) throw new Error(`the wasm backend has no ${name} kernel to wrap`)
    tf.unregisterKernel(name, 'wasm')
    tf.registerKernel(make(builtin))
  }
}

let cpuRegistered = false

/** Fixes for the cpu backend's training kernels (see resize-nearest-grad-cpu.ts). */
export function registerCpuKernels(): void {
  if (cpuRegistered) return
  cpuRegistered = true
  const builtin = tf.getKernel(resizeNearestGradCpuConfig.kernelName, 'cpu')
  if (builtin) tf.unregisterKernel(resizeNearestGradCpuConfig.kernelName, 'cpu')
  tf.registerKernel(resizeNearestGradCpuConfig)
}

let tensorflowRegistered = false

/**
 * tfjs-node's kernels that cost a training step far more than TensorFlow's own ops need (see their files). Call
 * after @tensorflow/tfjs-node has registered its backend and kernels.
 */
export function registerTensorflowKernels(): void {
  if (tensorflowRegistered) return
  const builtin = tf.getKernel(tf.Step, 'tensorflow')
  if (!builtin) throw new Error('the tensorflow backend has no Step kernel to replace')
  tensorflowRegistered = true
  tf.unregisterKernel(tf.Step, 'tensorflow')
  tf.registerKernel(tensorflowStepConfig(builtin))
}
