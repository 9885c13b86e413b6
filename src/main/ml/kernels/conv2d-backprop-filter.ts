import * as tf from '@tensorflow/tfjs'
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs'

/** A kernel the wasm backend already has, called directly (no engine bookkeeping inside our kernel). */
function wasmKernel(name: string): KernelFunc {
  const k = tf.getKernel(name, 'wasm')
  if (!k) throw new Error(`the wasm backend has no ${name} kernel`)
  return k.kernelFunc
}

type Backend = tf.KernelBackend

/**
 * dW for a 2-D convolution, built from kernels wasm has (see shared/DESIGN.md):
 * dW[kh,kw,ci,co] = Σ x[n, oh·s+kh−top, ow·s+kw−left, ci] · dy[n,oh,ow,co], which is a stride-1 convolution with
 * dilation s of xᵀ = transpose(x, [3,1,2,0]) (batch Ci, channels N) by dyᵀ = transpose(dy, [1,2,0,3]) (an
 * OH×OW×N×Co filter), padded [top, KH+(OH−1)s−H−top] × [left, KW+(OW−1)s−W−left], then transposed [1,2,0,3].
 * Negative pads (a valid convolution that never reads the last rows) become a crop of x.
 */
function conv2DBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo }
  backend: Backend
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
  const [, h, w] = x.shape
  const [, oh, ow] = dy.shape
  const { top, left } = info.padInfo
  const bottom = kh + (oh - 1) * sh - h - top
  const right = kw + (ow - 1) * sw - w - left

  const temps: TensorInfo[] = []
  const run = (name: string, ins: Record<string, TensorInfo>, at: object) => {
    const out = wasmKernel(name)({ inputs: ins, backend, attrs: at as tf.NamedAttrMap }) as TensorInfo
    temps.push(out)
    return out
  }
  try {
    let src = x
    // A negative pad means those rows/columns of x never meet dy: crop them instead.
    const crop = [Math.max(0, -top), Math.max(0, -left), Math.max(0, -bottom), Math.max(0, -right)]
    if (crop.some((c) => c > 0)) {
      const [n, , , c] = x.shape
      src = run(
        'Slice',
        { x },
        { begin: [0, crop[0], crop[1], 0], size: [n, h - crop[0] - crop[2], w - crop[1] - crop[3], c] }
      )
    }
    const xt = run('Transpose', { x: src }, { perm: [3, 1, 2, 0] })
    const dyt = run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] })
    const pads: [number, number][] = [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0]
    ]
    const dw = run(
      'Conv2D',
      { x: xt, filter: dyt },
      { strides: [1, 1], pad: pads, dataFormat: 'NHWC', dilations: [sh, sw], dimRoundingMode: undefined }
    )
    const out = wasmKernel('Transpose')({
      inputs: { x: dw },
      backend,
      attrs: { perm: [1, 2, 0, 3] }
    }) as TensorInfo
    return out
  } finally {
    for (const t of temps) backend.disposeData(t.dataId)
  }
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc
}
