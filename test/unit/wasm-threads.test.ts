// The wasm backend on several threads (the threaded SIMD build on worker_threads) against one thread. The tests
// run in order in this one process: the threaded backend first, then tfjs's single-threaded one in its place.
import * as tf from '@tensorflow/tfjs'
import * as wasm from '@tensorflow/tfjs-backend-wasm'
import { describe, expect, it } from 'vitest'
import { initBackend } from '../../src/main/backends/activate'
import {
  checkThreads,
  defaultWasmThreads,
  MAX_WASM_THREADS,
  stopWasmThreads,
  wasmThreadsNote
} from '../../src/main/backends/wasm-threads'
import { modelKinds, type ModelKind } from '../../src/shared/config'
import { osThreads, pausedRun, settleThreads, trainFewSteps, type TrainedResult } from '../helpers/wasm-train'

describe('thread counts and notes', () => {
  it('defaults to the cores, capped where replicas stop paying or at what the wasm build runs', () => {
    expect(MAX_WASM_THREADS).toBe(8)
    const cores = [0, 1, 2, 3, 6, 8, 16, 64]
    expect(cores.map((c) => defaultWasmThreads(c))).toEqual([1, 1, 2, 3, 4, 4, 4, 4])
    expect(cores.map((c) => defaultWasmThreads(c, 'kernels'))).toEqual([1, 1, 2, 3, 6, 8, 8, 8])
  })

  it('rejects thread counts that are not whole numbers from 1', async () => {
    for (const bad of [0, -2, 1.5, Number.NaN])
      expect(() => checkThreads(bad)).toThrow(`threads must be a whole number of at least 1, got ${bad}`)
    expect(checkThreads(3)).toBe(3)
    // Before any backend is touched.
    await expect(initBackend('wasm', { threads: 0 })).rejects.toThrow(
      'threads must be a whole number of at least 1, got 0'
    )
    expect('wasm' in tf.engine().registry).toBe(false)
  })

  it('says how many threads run, and why fewer than asked for', () => {
    expect(wasmThreadsNote(2, 2)).toBe('wasm: SIMD on, 2 threads (XNNPACK)')
    expect(wasmThreadsNote(1, 1)).toBe('wasm: SIMD on, 1 thread (XNNPACK)')
    expect(wasmThreadsNote(8, 12)).toBe(
      'wasm: SIMD on, 8 threads (XNNPACK); 12 asked for, the wasm build runs at most 8'
    )
    expect(wasmThreadsNote(1, 4, 'no SharedArrayBuffer')).toBe(
      'wasm: SIMD on, 1 thread (XNNPACK); 4 threads could not start: no SharedArrayBuffer'
    )
  })
})

// Every kind, and the conv decoder's other upsampling (our ResizeNearestNeighborGrad kernel).
const cases: { name: string; kind: ModelKind; upsample?: 'resize' }[] = [
  ...modelKinds.map((kind) => ({ name: kind, kind })),
  { name: 'conv (resize)', kind: 'conv', upsample: 'resize' }
]
const threaded: Record<string, TrainedResult> = {}

describe('two threads', () => {
  it('start, are reported, and live as one pool thread beside the main one', async () => {
    const before = await osThreads()
    const started = await initBackend('wasm', { threads: 2, split: 'kernels' })
    expect(started).toEqual({ name: 'wasm', notes: ['wasm: SIMD on, 2 threads (XNNPACK)'], threads: 2 })
    expect(wasm.getThreadsCount()).toBe(2)
    // The 8 workers Emscripten pre-starts, less the one XNNPACK's pool took, are stopped again.
    if (before !== null) expect(await settleThreads(before + 1)).toBe(before + 1)
    // Asking again in the same process keeps the running pool.
    expect((await initBackend('wasm', { threads: 2, split: 'kernels' })).notes).toEqual([
      'wasm: SIMD on, 2 threads (XNNPACK)'
    ])
    // Replicas would fight that pool for the cores: training uses the pool instead.
    expect(await initBackend('wasm', { threads: 2, split: 'batch' })).toEqual({
      name: 'wasm',
      notes: ['wasm: SIMD on, 2 threads (XNNPACK)'],
      threads: 2
    })
    expect((await initBackend('wasm', { threads: 3, split: 'kernels' })).notes).toEqual([
      'wasm: SIMD on, 2 threads (XNNPACK); 3 threads could not start: wasm had already started in this process with 2 threads'
    ])
  })

  it('train every model kind with tensors flat across epochs', async () => {
    for (const { name, kind, upsample } of cases) {
      const r = await trainFewSteps(kind, { upsample })
      expect(r.outcome, name).toEqual({ status: 'done', epochsDone: 2 })
      expect(r.tensors[1], name).toBe(r.tensors[0])
      expect(r.losses.every((l) => Number.isFinite(l) && l > 0)).toBe(true)
      threaded[name] = r
    }
  })

  it('pause, resume and stop a run', async () => {
    const { outcome, batches } = await pausedRun()
    // 3 batches an epoch: stopped before the 5th, so only the first epoch finished.
    expect(outcome).toEqual({ status: 'stopped', epochsDone: 1 })
    expect(batches).toBe(4)
  })
})

describe('one thread in place of two', () => {
  it('stopping the threaded backend ends its threads', async () => {
    const before = await osThreads()
    expect(stopWasmThreads(tf)).toBe(true)
    expect(stopWasmThreads(tf)).toBe(false)
    if (before !== null) expect(await settleThreads(before - 1)).toBe(before - 1)
    const started = await initBackend('wasm', { threads: 1, split: 'kernels' })
    expect(started).toEqual({ name: 'wasm', notes: ['wasm: SIMD on, 1 thread (XNNPACK)'], threads: 1 })
  })

  it('gives exactly the same losses and weights for every model kind', async () => {
    // XNNPACK splits work by output tiles, never inside a sum, so the thread count cannot change a result.
    for (const { name, kind, upsample } of cases) {
      const one = await trainFewSteps(kind, { upsample })
      const two = threaded[name]
      expect(one.losses, name).toEqual(two.losses)
      expect(one.weights.length, name).toBe(two.weights.length)
      const bytes = (w: Float32Array) => Buffer.from(w.buffer, w.byteOffset, w.byteLength)
      one.weights.forEach((w, i) => expect(bytes(w).equals(bytes(two.weights[i])), name).toBe(true))
    }
  })
})
