import type { DataType, Tensor, TensorInfo } from '@tensorflow/tfjs'

/** What our tensorflow kernels use of tfjs-node's backend (NodeJSKernelBackend), typed here so the engine stays free of it. */
export interface TensorflowBackend {
  binding: { TF_ATTR_TYPE: number }
  getDTypeInteger(dtype: DataType): number
  /** Runs one TensorFlow op eagerly (TFE_Execute) and returns its output as a tfjs tensor. */
  executeSingleOutput(op: string, attrs: TensorflowAttr[], inputs: TensorInfo[]): Tensor
}

export interface TensorflowAttr {
  name: string
  type: number
  value: number
}

/** The `T` attribute most TensorFlow ops take: the dtype of their inputs. */
export const typeAttr = (backend: TensorflowBackend, dtype: DataType): TensorflowAttr => ({
  name: 'T',
  type: backend.binding.TF_ATTR_TYPE,
  value: backend.getDTypeInteger(dtype)
})
