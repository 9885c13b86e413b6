import * as tf from '@tensorflow/tfjs'
import type { KernelConfig, KernelFunc, ResizeNearestNeighborGradAttrs, TensorInfo } from '@tensorflow/tfjs'

interface CpuBackend {
  data: { get(id: object): { values: Float32Array } }
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo
}

/**
 * The cpu backend's ResizeNearestNeighborGrad (tfjs 4.22) reads dy at the images' batch stride, so every batch
 * element after the first gets the wrong gradient (the `resize` decoder's ×2 upsampling trained wrongly on cpu).
 * This is the same gradient done directly: each dy pixel adds into the input pixel the forward pass copied it
 * from (nearest, with or without aligned corners / half-pixel centres as the forward op computes it).
 */
function resizeNearestNeighborGrad(args: {
  inputs: { images: TensorInfo; dy: TensorInfo }
  backend: CpuBackend
  attrs: ResizeNearestNeighborGradAttrs
}): TensorInfo {
  const { inputs, backend, attrs } = args
  const { images, dy } = inputs
  const { alignCorners, halfPixelCenters } = attrs
  const [batch, xh, xw, depth] = images.shape
  const [, yh, yw] = dy.shape
  const dyValues = backend.data.get(dy.dataId).values
  const out = new Float32Array(batch * xh * xw * depth)
  // The forward op's source index for an output index, per axis (as tfjs' cpu ResizeNearestNeighbor computes it).
  const source = (outSize: number, inSize: number) => {
    const scale = alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize
    return Int32Array.from({ length: outSize }, (_, i) => {
      const frac = halfPixelCenters ? scale * (i + 0.5) : scale * i
      const near = alignCorners ? Math.round(frac) : Math.floor(frac)
      return Math.min(inSize - 1, halfPixelCenters ? Math.max(0, near) : near)
    })
  }
  const rows = source(yh, xh)
  const cols = source(yw, xw)
  for (let b = 0; b < batch; b++)
    for (let y = 0; y < yh; y++)
      for (let x = 0; x < yw; x++) {
        const from = ((b * yh + y) * yw + x) * depth
        const to = ((b * xh + rows[y]) * xw + cols[x]) * depth
        for (let d = 0; d < depth; d++) out[to + d] += dyValues[from + d]
      }
  return backend.makeTensorInfo(images.shape, 'float32', out)
}

export const resizeNearestGradCpuConfig: KernelConfig = {
  kernelName: tf.ResizeNearestNeighborGrad,
  backendName: 'cpu',
  kernelFunc: resizeNearestNeighborGrad as unknown as KernelFunc
}
