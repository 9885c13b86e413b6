import * as tf from '@tensorflow/tfjs'
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter'

/** Training kernels the wasm backend lacks, implemented with the ones it has. */
const WASM_KERNELS: tf.KernelConfig[] = [conv2DBackpropFilterConfig]

/** Registers our wasm training kernels once (registering a kernel twice is an error in tfjs). */
export function registerWasmKernels(): void {
  for (const k of WASM_KERNELS) {
    if (!tf.getKernel(k.kernelName, k.backendName)) tf.registerKernel(k)
  }
}
