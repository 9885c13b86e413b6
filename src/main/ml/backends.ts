import { createRequire } from 'node:module'
import { dirname, sep } from 'node:path'
import type * as TF from '@tensorflow/tfjs'
import type { BackendName, BackendProbe } from '../../shared/contract/app'
import type { BackendChoice } from '../../shared/config'
import {
  checkThreads,
  defaultWasmThreads,
  replicasNote,
  startWasmThreads,
  wasmThreadsNote
} from './wasm-threads'

const require = createRequire(import.meta.url)

/** Best first: the order `auto` tries them in. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']

const PACKAGE: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs'
}

const explain = (err: unknown): string => {
  const msg = err instanceof Error ? err.message : String(err)
  if (/Cannot find (module|package)/.test(msg))
    return 'not installed (its install downloads libtensorflow, which was not reachable)'
  return `failed to load: ${msg.split('\n')[0]}`
}

/**
 * Which backends could be used here, without initialising any of them. A package that resolves may still fail to
 * load its native library, so the native ones are required for real; the GPU one also needs a visible device.
 */
export function probeBackends(): BackendProbe[] {
  return BACKEND_ORDER.map((name): BackendProbe => {
    try {
      require.resolve(PACKAGE[name])
    } catch (err) {
      return { name, available: false, detail: explain(err) }
    }
    if (name === 'wasm') return { name, available: true, detail: 'WebAssembly with SIMD (XNNPACK)' }
    if (name === 'cpu') return { name, available: true, detail: 'pure JavaScript: slow, always works' }
    return { name, available: true, detail: `${PACKAGE[name]} is installed` }
  })
}

/** Where the wasm backend's .wasm binaries are (Node has no page to fetch them relative to). */
const wasmDir = () =>
  dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + sep

const TFJS_NODE_GPU = PACKAGE['tensorflow-gpu']

/** tfjs-node's backend object says whether its TensorFlow found a CUDA device. */
const usesGpu = (tf: typeof TF) =>
  Boolean((tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice)

const HOOKS = ['uncaughtException', 'unhandledRejection'] as const

/**
 * Emscripten's runtime (the wasm backend) installs process-wide uncaughtException/unhandledRejection handlers
 * that rethrow, so any later stray error would surface from inside its 30 kB minified line and Node would print
 * that line. Our processes keep their own error handling: drop the handlers it added.
 */
async function withoutProcessHooks<T>(fn: () => Promise<T>): Promise<T> {
  const listeners = (e: (typeof HOOKS)[number]) =>
    process.listeners(e as 'uncaughtException') as ((...args: unknown[]) => void)[]
  const before = HOOKS.map((e) => new Set(listeners(e)))
  try {
    return await fn()
  } finally {
    HOOKS.forEach((e, i) => {
      for (const l of listeners(e)) if (!before[i].has(l)) process.removeListener(e, l as () => void)
    })
  }
}

export interface BackendOptions {
  /** Threads for the wasm backend (default: the machine's cores, capped; see wasm-threads.ts). */
  threads?: number
  /**
   * How wasm spends the threads: `batch` (the default) keeps the backend on one thread so that training runs
   * that many model replicas, each on a slice of every batch (replicas.ts: startTrainingReplicas); `kernels`
   * runs every kernel on all of them (XNNPACK's pool). `batch` measured faster (see replicas.ts) and costs
   * inference nothing: XNNPACK's pool takes a second or more to start.
   */
  split?: 'kernels' | 'batch'
}

export interface StartedBackend {
  name: BackendName
  notes: string[]
  /** The threads wasm trains on (absent for the other backends, which manage their own). */
  threads?: number
  /** With `split: 'batch'`: the model replicas to train, one a thread. */
  replicas?: number
}

type Threads = Pick<StartedBackend, 'threads' | 'replicas'>

/** Loads one backend and makes it the active one; throws, in plain words, when it cannot be used here. */
async function activate(name: BackendName, notes: string[], options: BackendOptions): Promise<Threads> {
  // Loaded here, not at the top, so `aestudio info` and the app's main process never load TensorFlow.js.
  const tf = await import('@tensorflow/tfjs')
  if (name === 'tensorflow-gpu' || name === 'tensorflow') {
    try {
      require(PACKAGE[name])
    } catch (err) {
      // The GPU build also provides the 'tensorflow' backend: use it on the CPU if only it is installed.
      if (name !== 'tensorflow' || !tf.findBackendFactory('tensorflow')) throw new Error(explain(err))
    }
    if (!(await tf.setBackend('tensorflow'))) throw new Error('TensorFlow failed to initialise')
    if (name === 'tensorflow-gpu' && !usesGpu(tf))
      throw new Error(`${TFJS_NODE_GPU} loaded but sees no CUDA GPU`)
    return {}
  }
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm')
    if (!tf.findBackendFactory('wasm')) throw new Error('the wasm backend did not register')
    // tfjs's own start-up of the threaded build hands it blob: URLs Node cannot load; threads start in
    // startWasmThreads instead, which falls back to this single-threaded SIMD build.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false)
    wasm.setWasmPaths(wasmDir())
    ;(await import('./kernels')).registerWasmKernels()
    const split = options.split ?? 'batch'
    const wanted = options.threads ?? defaultWasmThreads(undefined, split)
    const batch = split === 'batch' && wanted > 1
    let started: { threads: number; reason?: string } = { threads: 1 }
    const ok = await withoutProcessHooks(async () => {
      started = await startWasmThreads(tf, wasm, batch ? 1 : wanted)
      return tf.setBackend('wasm')
    })
    if (!ok) throw new Error('WebAssembly failed to initialise')
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')
    const threads = wasm.getThreadsCount()
    // Replicas beside a multi-threaded backend (one started earlier in this process) would fight for the cores.
    const replicas = batch && threads === 1 ? wanted : undefined
    // (A backend already running XNNPACK's pool in this process trains on that pool instead.)
    notes.push(
      !simd
        ? 'wasm: this runtime has no WebAssembly SIMD, so wasm runs several times slower'
        : replicas
          ? replicasNote(replicas)
          : batch
            ? wasmThreadsNote(threads, threads)
            : wasmThreadsNote(threads, wanted, started.reason)
    )
    return replicas ? { threads: replicas, replicas } : { threads }
  }
  ;(await import('./kernels')).registerCpuKernels()
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise')
  return {}
}

/**
 * Makes a training backend active: `auto` tries them best first (tensorflow-gpu, tensorflow, wasm, cpu) and the
 * notes say, in plain words, why better ones were passed over; an explicit choice that cannot be used throws.
 */
export function initBackend(choice: BackendChoice, options: BackendOptions = {}): Promise<StartedBackend> {
  // One at a time: TensorFlow.js's setBackend is not safe to run twice at once (a second caller sees the first
  // one's half-started backend and fails), and a process may well load two models together.
  const run = starting.then(() => startBackend(choice, options))
  starting = run.catch(() => undefined)
  return run
}
let starting: Promise<unknown> = Promise.resolve()

async function startBackend(choice: BackendChoice, options: BackendOptions): Promise<StartedBackend> {
  if (options.threads !== undefined) checkThreads(options.threads)
  const notes: string[] = []
  const started = (name: BackendName, threads: Threads): StartedBackend => ({ name, notes, ...threads })
  if (choice !== 'auto') {
    let threads: Threads
    try {
      threads = await activate(choice, notes, options)
    } catch (err) {
      throw new Error(`The ${choice} backend cannot be used here: ${(err as Error).message}`)
    }
    return started(choice, threads)
  }
  for (const name of BACKEND_ORDER) {
    try {
      return started(name, await activate(name, notes, options))
    } catch (err) {
      notes.push(`${name} passed over: ${(err as Error).message}`)
    }
  }
  throw new Error(`No training backend could be started:\n${notes.join('\n')}`)
}
