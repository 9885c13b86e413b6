import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import type * as TF from '@tensorflow/tfjs'
import { escapeWorkerContents, idleWorkerUrl, LOAD_FAILED, pthreadWorkerUrl } from './wasm-pthread-worker'

const require = createRequire(import.meta.url)

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm')

/**
 * tfjs-backend-wasm 4.22's threaded binary creates its XNNPACK pool with at most 8 threads (backend.cc caps it,
 * and the runtime pre-starts 8 pthread workers): asking for more gets 8.
 */
export const MAX_WASM_THREADS = 8

/**
 * Data-parallel replicas by default at most: each replica pays a whole step's fixed cost (XNNPACK packing the
 * new weights, tfjs's per-kernel bookkeeping: about 50 ms of the benchmark network's 320 ms step) and the main
 * thread alone combines their gradients and runs Adam (about 20 ms), so by that model 4 replicas give 2.2×, 8
 * give 2.8× for 200 MB more memory each. Ask for more with `threads`.
 */
export const DEFAULT_REPLICAS = 4

/**
 * Threads to use by default: every core, up to DEFAULT_REPLICAS replicas (`split: 'batch'`) or the build's
 * MAX_WASM_THREADS (`kernels`). More threads than cores only add contention.
 */
export const defaultWasmThreads = (
  cores = availableParallelism(),
  split: 'batch' | 'kernels' = 'batch'
): number => Math.max(1, Math.min(cores, split === 'kernels' ? MAX_WASM_THREADS : DEFAULT_REPLICAS))

/** A thread count from the user (a flag, a setting): a whole number from 1 up, or a plain-words error. */
export function checkThreads(threads: number): number {
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`threads must be a whole number of at least 1, got ${threads}`)
  return threads
}

const plural = (n: number) => `${n} thread${n === 1 ? '' : 's'}`

/** The backend note: `wasm: SIMD on, 2 threads (XNNPACK)`, and why there are fewer threads than asked for. */
export function wasmThreadsNote(threads: number, wanted: number, reason?: string): string {
  const note = `wasm: SIMD on, ${plural(threads)} (XNNPACK)`
  if (reason) return `${note}; ${plural(Math.min(wanted, MAX_WASM_THREADS))} could not start: ${reason}`
  if (wanted > MAX_WASM_THREADS)
    return `${note}; ${wanted} asked for, the wasm build runs at most ${MAX_WASM_THREADS}`
  return note
}

/** The backend note when the threads train model replicas (`split: 'batch'`). */
export const replicasNote = (replicas: number): string =>
  `wasm: SIMD on, ${replicas} threads (data-parallel: each batch split over ${replicas} model replicas)`

/** What starting the threads gave: the threads the backend runs, and why it fell back to one if it did. */
export interface WasmThreadsStart {
  threads: number
  reason?: string
}

export interface WasmThreadsOptions {
  /** Give up on threads (and fall back to one) when the workers have not all started by then. */
  timeoutMs?: number
  /** The pthread workers' script; tests swap in one that fails. */
  workerUrl?: URL
}

/** The part of Emscripten's runtime object we drive (tfjs's BackendWasm uses the rest). */
interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...args: number[]) => number
  PThread: { unusedWorkers: Worker[]; runningWorkers: Worker[]; terminateAllThreads(): void }
  tfjs?: Record<string, unknown>
}

type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>

const GLUE = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js'
const WORKER = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js'
const BINARY = 'tfjs-backend-wasm-threaded-simd.wasm'
/** The pthread workers the 4.22 runtime pre-starts (PTHREAD_POOL_SIZE in its build). */
const POOL = 8

/**
 * Makes the wasm backend, when `tf.setBackend('wasm')` next runs, the threaded SIMD build with `threads`
 * threads (XNNPACK's pthreadpool on Node worker_threads), in place of tfjs's own start-up, which would hand the
 * runtime `blob:` URLs that Node cannot load. Never throws for threads that cannot start: it then leaves
 * tfjs's single-threaded SIMD build in place and says why in `reason`. Call before the wasm backend has started
 * in this process, and with Emscripten's process hooks handled by the caller (see backends.ts).
 */
export async function startWasmThreads(
  tf: typeof TF,
  wasm: WasmPackage,
  threads: number,
  options: WasmThreadsOptions = {}
): Promise<WasmThreadsStart> {
  const wanted = Math.min(checkThreads(threads), MAX_WASM_THREADS)
  // The engine's registry, not tf.findBackend, which would itself start tfjs's wasm backend.
  if ('wasm' in tf.engine().registry) {
    // A backend's pool cannot be resized, and replacing the backend would drop every tensor on it.
    const running = wasm.getThreadsCount()
    return running === wanted
      ? { threads: running }
      : { threads: running, reason: `wasm had already started in this process with ${plural(running)}` }
  }
  if (wanted === 1) return { threads: 1 }
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')))
    return { threads: 1, reason: 'this runtime has no WebAssembly SIMD, which the threaded build needs' }
  if (typeof SharedArrayBuffer === 'undefined')
    return { threads: 1, reason: 'this runtime has no SharedArrayBuffer, which wasm threads need' }
  let module: EmscriptenModule
  try {
    module = await threadedModule(wanted, options)
  } catch (err) {
    return { threads: 1, reason: (err as Error).message }
  }
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, [])
  }
  // BackendWasm creates XNNPACK's pool of this size; it blocks until the pool's threads run, which is safe now
  // that every worker has loaded.
  wasm.setThreadsCount(wanted)
  const backend = new wasm.BackendWasm(module as never)
  // The pool's threads live as long as the backend, idle between kernels: they must not keep a finished
  // process alive. Pre-started workers the pool did not take are only memory.
  for (const w of module.PThread.runningWorkers) w.unref()
  for (const w of module.PThread.unusedWorkers) void w.terminate()
  module.PThread.unusedWorkers.length = 0
  tfjsFactory = tf.findBackendFactory('wasm')
  tf.removeBackend('wasm')
  tf.registerBackend('wasm', () => backend, 2)
  return { threads: wasm.getThreadsCount() }
}

/** tfjs's own wasm backend factory, set aside while the threaded backend is registered in its place. */
let tfjsFactory: ReturnType<typeof TF.findBackendFactory> | null = null

/**
 * Ends the threaded wasm backend, stopping its threads (BackendWasm.dispose terminates Emscripten's workers),
 * and puts tfjs's single-threaded one back for the next `tf.setBackend('wasm')`. Tensors still on the backend
 * are lost. False when no threaded backend was started.
 */
export function stopWasmThreads(tf: typeof TF): boolean {
  if (!tfjsFactory) return false
  tf.removeBackend('wasm')
  tf.registerBackend('wasm', tfjsFactory, 2)
  tfjsFactory = null
  return true
}

/**
 * Instantiates the threaded runtime and waits until all its pthread workers have loaded it. Emscripten would
 * throw a worker's failure as an uncaught exception and wait forever for a worker that never loads; here both
 * end the start-up with an error instead, and every worker is stopped.
 */
function threadedModule(threads: number, options: WasmThreadsOptions): Promise<EmscriptenModule> {
  const gluePath = require.resolve(GLUE)
  const factory = require(gluePath) as Factory
  const workerUrl =
    options.workerUrl ??
    pthreadWorkerUrl(
      gluePath,
      readFileSync(gluePath, 'utf8'),
      escapeWorkerContents((require(WORKER) as { wasmWorkerContents: string }).wasmWorkerContents)
    )
  const binaryPath = join(dirname(gluePath), BINARY)
  const binary = readFileSync(binaryPath)
  const timeoutMs = options.timeoutMs ?? 20_000
  // Emscripten hands out pre-started workers last first, so the pool's threads-1 get the last ones made.
  const idle = idleWorkerUrl()
  let made = 0
  const nextWorker = () => (made++ < POOL - (threads - 1) ? idle : workerUrl)

  return new Promise((resolve, reject) => {
    let settled = false
    const guards: (() => void)[] = []
    // Emscripten's own 'error' listeners rethrow; they are set aside while starting, restored after.
    const parked = new Map<Worker, ((...a: unknown[]) => void)[]>()
    const config: Record<string, unknown> & { PThread?: EmscriptenModule['PThread'] } = {
      mainScriptUrlOrBlob: gluePath,
      locateFile: (path: string, prefix: string) =>
        path.endsWith('.worker.js') ? nextWorker() : path.endsWith('.wasm') ? binaryPath : prefix + path,
      instantiateWasm(info: { env: Record<string, unknown> }, receive: (i: unknown, m: unknown) => void) {
        // backend.cc sizes its pool by min(requested, logical cores / 2): report cores so `threads` is allowed.
        info.env.emscripten_num_logical_cores = () => 2 * threads
        const workers = config.PThread!.unusedWorkers
        // A pool that took a stand-in would wait for it forever.
        if (workers.length !== POOL)
          throw new Error(`the wasm runtime pre-started ${workers.length} thread workers, not ${POOL}`)
        for (const w of workers) guard(w)
        WebAssembly.instantiate(binary, info as WebAssembly.Imports).then(({ instance, module }) => {
          if (settled) return
          receive(instance, module)
          for (const w of config.PThread!.unusedWorkers) {
            const theirs = w.listeners('error').filter((l) => !ours.has(l)) as ((...a: unknown[]) => void)[]
            for (const l of theirs) w.off('error', l)
            parked.set(w, theirs)
          }
        }, fail)
        return {}
      },
      onAbort: (what: unknown) => fail(new Error(`the threaded wasm runtime aborted: ${String(what)}`)),
      // Emscripten notes our load-failure message as an unknown command; the failure itself is reported.
      printErr: (text: string) => text.includes(LOAD_FAILED) || process.stderr.write(`${text}\n`)
    }
    const ours = new Set<unknown>()
    function guard(w: Worker) {
      const onError = (err: Error) => fail(new Error(`a wasm thread worker failed to start: ${err.message}`))
      const onExit = (code: number) =>
        fail(new Error(`a wasm thread worker stopped while starting (code ${code})`))
      const onMessage = (m: { cmd?: string; message?: string }) => {
        if (m?.cmd === LOAD_FAILED)
          fail(new Error(`a wasm thread worker could not load the runtime: ${m.message}`))
      }
      ours.add(onError)
      w.on('error', onError).on('exit', onExit).on('message', onMessage)
      guards.push(() => w.off('error', onError).off('exit', onExit).off('message', onMessage))
    }
    const unguard = () => {
      clearTimeout(timer)
      for (const off of guards) off()
      for (const [w, listeners] of parked) for (const l of listeners) w.on('error', l)
    }
    function fail(err: unknown) {
      if (settled) return
      settled = true
      unguard()
      const workers = config.PThread
        ? [...config.PThread.unusedWorkers, ...config.PThread.runningWorkers]
        : []
      for (const w of workers) {
        w.removeAllListeners('error').on('error', () => {})
        void w.terminate()
      }
      reject(err instanceof Error ? err : new Error(String(err)))
    }
    const timer = setTimeout(
      () => fail(new Error(`the wasm thread workers did not start within ${timeoutMs / 1000} s`)),
      timeoutMs
    )
    let ready: Promise<EmscriptenModule>
    try {
      ready = factory(config)
    } catch (err) {
      return fail(err)
    }
    ready.then((module) => {
      if (settled) return
      settled = true
      unguard()
      resolve(module)
    }, fail)
  })
}
