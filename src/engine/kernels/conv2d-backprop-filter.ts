import * as tf from '@tensorflow/tfjs'
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs'
import { explicitPad, withOps } from './wasm-ops'

/**
 * dW for a 2-D convolution, built from kernels wasm has (see shared/DESIGN.md):
 * dW[kh,kw,ci,co] = Σ x[n, oh·s+kh−top, ow·s+kw−left, ci] · dy[n,oh,ow,co], which is a stride-1 convolution with
 * dilation s of xᵀ = transpose(x, [3,1,2,0]) (batch Ci, channels N) by dyᵀ = transpose(dy, [1,2,0,3]) (an
 * OH×OW×N×Co filter), padded [top, KH+(OH−1)s−H−top] × [left, KW+(OW−1)s−W−left], then transposed [1,2,0,3].
 * Negative pads (a valid convolution that never reads the last rows) become a crop of x.
 */
function conv2DBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo }
  backend: tf.KernelBackend
  attrs: Conv2DBackpropFilterAttrs
}): TensorInfo {
  const { inputs, backend, attrs } = args
  const { x, dy } = inputs
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs
  if (dataFormat !== 'NHWC') throw new Error('Conv2DBackpropFilter on wasm supports only NHWC')
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode
  )
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info
  const [n, h, w, c] = x.shape
  const [, oh, ow] = dy.shape
  const { top, left } = info.padInfo
  const bottom = kh + (oh - 1) * sh - h - top
  const right = kw + (ow - 1) * sw - w - left

  return withOps(backend, (ops) => {
    let src = x
    // A negative pad means those rows/columns of x never meet dy: crop them instead.
    const [ct, cl, cb, cr] = [top, left, bottom, right].map((p) => Math.max(0, -p))
    if (ct + cl + cb + cr > 0)
      src = ops.run('Slice', { x }, { begin: [0, ct, cl, 0], size: [n, h - ct - cb, w - cl - cr, c] })
    const xt = ops.run('Transpose', { x: src }, { perm: [3, 1, 2, 0] })
    const dyt = ops.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] })
    const dw = ops.run(
      'Conv2D',
      { x: xt, filter: dyt },
      {
        strides: [1, 1],
        pad: explicitPad(Math.max(0, top), Math.max(0, bottom), Math.max(0, left), Math.max(0, right)),
        dataFormat: 'NHWC',
        dilations: [sh, sw]
      }
    )
    return ops.run('Transpose', { x: dw }, { perm: [1, 2, 0, 3] })
  })
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc
}
