// Threads that cannot start leave the wasm backend on one thread with the reason; they never fail the start.
import * as tf from '@tensorflow/tfjs'
import * as wasm from '@tensorflow/tfjs-backend-wasm'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { initBackend } from '../../src/main/backends/activate'
import { escapeWorkerContents, pthreadWorkerUrl } from '../../src/main/backends/wasm-pthread-worker'
import { startWasmThreads } from '../../src/main/backends/wasm-threads'
import { osThreads, settleThreads, trainFewSteps } from '../helpers/wasm-train'

const require = createRequire(import.meta.url)
const script = (source: string) => new URL(`data:text/javascript,${encodeURIComponent(source)}`)
const GLUE = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js')
const workerContents = escapeWorkerContents(
  (
    require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
      wasmWorkerContents: string
    }
  ).wasmWorkerContents
)

describe('wasm threads that cannot start', () => {
  it.each([
    [
      'a worker script that throws',
      script('throw new Error("no worker here")'),
      20_000,
      'a wasm thread worker failed to start: no worker here'
    ],
    [
      'a worker that exits',
      script('process.exit(7)'),
      20_000,
      'a wasm thread worker stopped while starting (code 7)'
    ],
    [
      'a runtime that does not load',
      pthreadWorkerUrl(GLUE, 'throw new Error("no runtime")', workerContents),
      20_000,
      'a wasm thread worker could not load the runtime: no runtime'
    ],
    [
      'workers that never answer',
      script('setInterval(() => {}, 1000)'),
      1500,
      'the wasm thread workers did not start within 1.5 s'
    ]
  ])('%s: one thread, the reason, and no worker left', async (_, workerUrl, timeoutMs, reason) => {
    const before = await osThreads()
    expect(await startWasmThreads(tf, wasm, 2, { workerUrl, timeoutMs })).toEqual({ threads: 1, reason })
    expect('wasm' in tf.engine().registry).toBe(false)
    if (before !== null) expect(await settleThreads(before)).toBe(before)
  })

  it('leave tfjs single-threaded backend to train as before', async () => {
    const started = await initBackend('wasm', { threads: 1 })
    expect(started).toEqual({ name: 'wasm', notes: ['wasm: SIMD on, 1 thread (XNNPACK)'], threads: 1 })
    const r = await trainFewSteps('dense')
    expect(r.outcome).toEqual({ status: 'done', epochsDone: 2 })
  })
})
