import * as tf from '@tensorflow/tfjs'

interface HeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array
}

/**
 * A float32 tensor's values where they are, in the wasm backend's heap (no copy, unlike dataSync): read it at
 * once, before the next kernel can grow the heap and move it. Other backends give a copy.
 */
export function heapView(t: tf.Tensor): Float32Array {
  const backend = tf.backend() as unknown as Partial<HeapBackend>
  if (typeof backend.typedArrayFromHeap === 'function' && t.dtype === 'float32')
    return backend.typedArrayFromHeap(t)
  return t.dataSync() as Float32Array
}
