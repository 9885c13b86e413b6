import * as tf from '@tensorflow/tfjs'
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs'

/**
 * Calls the wasm backend's own kernels directly from inside one of ours (no engine bookkeeping, no tape), and
 * frees every intermediate when the kernel is done: `keep` marks the one result handed back to the engine.
 */
export class WasmOps {
  private readonly temps: TensorInfo[] = []

  constructor(private readonly backend: tf.KernelBackend) {}

  run(name: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: object = {}): TensorInfo {
    const kernel = tf.getKernel(name, 'wasm')
    if (!kernel) throw new Error(`the wasm backend has no ${name} kernel`)
    const out = (kernel.kernelFunc as KernelFunc)({
      inputs: inputs as never,
      backend: this.backend,
      attrs: attrs as NamedAttrMap
    }) as TensorInfo
    this.temps.push(out)
    return out
  }

  /** Frees `t` with the other intermediates (for tensors made outside `run`). */
  track(t: TensorInfo): TensorInfo {
    this.temps.push(t)
    return t
  }

  /** Hands `t` to the caller instead of freeing it. */
  keep(t: TensorInfo): TensorInfo {
    this.temps.splice(this.temps.indexOf(t), 1)
    return t
  }

  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId)
    this.temps.length = 0
  }
}

/** Runs `fn` with a fresh WasmOps, freeing its intermediates afterwards (also when it throws). */
export function withOps(backend: tf.KernelBackend, fn: (ops: WasmOps) => TensorInfo): TensorInfo {
  const ops = new WasmOps(backend)
  try {
    return ops.keep(fn(ops))
  } finally {
    ops.dispose()
  }
}

/** Explicit padding for wasm's Conv2D ([[0,0],[top,bottom],[left,right],[0,0]]); it needs non-negative pads. */
export const explicitPad = (top: number, bottom: number, left: number, right: number) => [
  [0, 0],
  [top, bottom],
  [left, right],
  [0, 0]
]
