import * as tf from '@tensorflow/tfjs'
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs'
import { explicitPad, withOps, type WasmOps } from './wasm-ops'

/** One output phase along one axis: which filter taps reach it, and how dy lines up with them. */
interface Phase {
  /** Number of taps (0: this phase gets no gradient, e.g. a 1×1 filter with stride 2). */
  taps: number
  /** First row of the flipped filter to take, every `stride`-th after it. */
  first: number
  /** Padding of dy before the stride-1 convolution; negative means crop. */
  before: number
  after: number
}

/**
 * Output rows i = q·s + φ (φ the phase) receive dy[oh]·W[kh] where oh·s + kh − pad = i, so kh ≡ φ + pad (mod s):
 * taps kh = p, p+s, … with p = (φ + pad) mod s, and oh = q + c − m for the m-th tap with c = ⌊(φ + pad)/s⌋.
 * That is a stride-1 correlation of dy with those taps reversed, padded (taps − 1 − c) before.
 */
function phase(
  phi: number,
  stride: number,
  pad: number,
  filter: number,
  dyLen: number,
  outLen: number
): Phase {
  const p = (phi + pad) % stride
  const taps = filter > p ? Math.ceil((filter - p) / stride) : 0
  const c = Math.floor((phi + pad) / stride)
  const before = taps - 1 - c
  return {
    taps,
    first: filter - 1 - p - (taps - 1) * stride,
    before,
    after: outLen + taps - 1 - dyLen - before
  }
}

/**
 * dx for a 2-D convolution on XNNPACK's fast Conv2D instead of wasm's naive Conv2DBackpropInput loop (which took
 * more than half of a training step; it is also the forward pass of every transposed convolution). For stride s
 * the output splits into s×s phases (the sub-pixel decomposition of a transposed convolution): each phase is a
 * stride-1 convolution of dy with a slice of the flipped filter, so no multiply-adds are spent on inserted zeros.
 * The phases are stacked on the batch axis and interleaved with two cheap transposes (wasm's DepthToSpace and
 * channel concat are many times slower).
 */
function conv2DBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo }
  backend: tf.KernelBackend
  attrs: Conv2DBackpropInputAttrs
}): TensorInfo {
  const { inputs, backend, attrs } = args
  const { dy, filter } = inputs
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode
  )
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow } = info
  if (dataFormat !== 'NHWC' || sh !== sw || dy.dtype !== 'float32') return fallback(args)
  const s = sh
  const qh = Math.ceil(h / s)
  const qw = Math.ceil(w / s)
  // The filter is small: its phase slices are cut on the host, cheaper than a chain of tiny wasm kernels.
  const weights = backend.readSync(filter.dataId) as Float32Array

  return withOps(backend, (ops) => {
    const parts: TensorInfo[] = []
    for (let ph = 0; ph < s; ph++)
      for (let pw = 0; pw < s; pw++) {
        const rows = phase(ph, s, info.padInfo.top, kh, oh, qh)
        const cols = phase(pw, s, info.padInfo.left, kw, ow, qw)
        parts.push(phaseConv(ops, backend, dy, weights, info, rows, cols, [n, qh, qw, ci]))
      }
    let dx = parts[0]
    if (s > 1) {
      // Phases stacked [φh, φw, n·qh·qw, ci]; the interleaved result is [n·qh, φh, qw, φw, ci]. wasm's Transpose
      // is fast only when dimensions collapse, so go in two steps: φw inward ([φh, n·qh·qw, φw, ci]), then
      // φh inside n·qh ([n·qh, φh, qw·φw·ci]). One 5-D transpose took 25× longer.
      const stacked = ops.run('Concat', parts, { axis: 0 })
      const phases = ops.run('Reshape', { x: stacked }, { shape: [s, s, n * qh * qw, ci] })
      const cols = ops.run('Transpose', { x: phases }, { perm: [0, 2, 1, 3] })
      const rows = ops.run('Reshape', { x: cols }, { shape: [s, n * qh, qw * s * ci] })
      const woven = ops.run('Transpose', { x: rows }, { perm: [1, 0, 2] })
      dx = ops.run('Reshape', { x: woven }, { shape: [n, qh * s, qw * s, ci] })
    }
    if (qh * s !== h || qw * s !== w)
      dx = ops.run('Slice', { x: dx }, { begin: [0, 0, 0, 0], size: [n, h, w, ci] })
    return dx
  })
}

/**
 * One phase: the taps of W reaching it, flipped and with in/out channels swapped (a [taps_h, taps_w, Co, Ci]
 * Conv2D filter), convolved at stride 1 with dy padded (or cropped) to line up.
 */
function phaseConv(
  ops: WasmOps,
  backend: tf.KernelBackend,
  dy: TensorInfo,
  weights: Float32Array,
  info: tf.backend_util.Conv2DInfo,
  rows: Phase,
  cols: Phase,
  shape: number[]
): TensorInfo {
  if (rows.taps === 0 || cols.taps === 0) return ops.run('Fill', {}, { shape, value: 0, dtype: 'float32' })
  const { filterWidth: kw, inChannels: ci, outChannels: co, strideHeight: s } = info
  const sub = new Float32Array(rows.taps * cols.taps * co * ci)
  let k = 0
  for (let jh = 0; jh < rows.taps; jh++)
    for (let jw = 0; jw < cols.taps; jw++) {
      // Flipped: tap j of the phase is filter row KH−1−(first + j·s).
      const r = info.filterHeight - 1 - (rows.first + jh * s)
      const c = kw - 1 - (cols.first + jw * s)
      const base = (r * kw + c) * ci * co
      for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) sub[k++] = weights[base + i * co + o]
    }
  const shapeOf = [rows.taps, cols.taps, co, ci]
  const filter = ops.track({
    dataId: backend.write(sub, shapeOf, 'float32'),
    shape: shapeOf,
    dtype: 'float32'
  })
  // Negative padding: drop those rows/columns of dy instead.
  const crop = [rows.before, cols.before, rows.after, cols.after].map((p) => Math.max(0, -p))
  let src = dy
  if (crop.some((c) => c > 0)) {
    const [n, oh, ow] = dy.shape
    src = ops.run(
      'Slice',
      { x: dy },
      { begin: [0, crop[0], crop[1], 0], size: [n, oh - crop[0] - crop[2], ow - crop[1] - crop[3], co] }
    )
  }
  const p = [rows.before, rows.after, cols.before, cols.after].map((v) => Math.max(0, v))
  return ops.run(
    'Conv2D',
    { x: src, filter },
    { strides: [1, 1], pad: explicitPad(p[0], p[1], p[2], p[3]), dataFormat: 'NHWC', dilations: [1, 1] }
  )
}

/**
 * Replaces wasm's Conv2DBackpropInput; `builtin` (wasm's own) still serves what the phase split does not cover
 * (unequal strides, NCHW), and its setup still runs so it stays callable.
 */
export function conv2DBackpropInputConfig(builtin: KernelConfig): KernelConfig {
  fallback = (args) => builtin.kernelFunc(args as Parameters<KernelFunc>[0]) as TensorInfo
  return {
    kernelName: tf.Conv2DBackpropInput,
    backendName: 'wasm',
    kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
    setupFunc: builtin.setupFunc
  }
}

let fallback: (args: object) => TensorInfo
