import { createRequire } from 'node:module'
import { dirname, sep } from 'node:path'
import type * as TF from '@tensorflow/tfjs'
import type { BackendName, BackendProbe, GpuAdapterInfo } from '../../shared/contract/app'
import type { BackendChoice } from '../../shared/config'
import { describeAdapter } from '../../engine/gpu/webgpu-backend'
import { probeTensorflow, type TensorflowProbe } from './tensorflow-probe'
import { activateWebGpu, SOFTWARE_GPU_ENV, webGpuProbe } from './webgpu-node'
import {
  checkThreads,
  defaultWasmThreads,
  replicasNote,
  startWasmThreads,
  wasmThreadsNote
} from './wasm-threads'

const require = createRequire(import.meta.url)

/** Best first: the order `auto` tries them in. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']

const PACKAGE: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
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
    if (name === 'webgpu') return webGpuProbe()
    try {
      require.resolve(PACKAGE[name])
    } catch (err) {
      return { name, available: false, detail: explain(err) }
    }
    if (name === 'wasm') return { name, available: true, detail: 'WebAssembly with SIMD (XNNPACK)' }
    if (name === 'cpu') return { name, available: true, detail: 'pure JavaScript: slow, always works' }
    const probe = nativeProbe(name)
    if (!probe) return { name, available: true, detail: `${PACKAGE[name]} is installed` }
    if (!probe.ok) return { name, available: false, detail: probe.reason }
    if (name === 'tensorflow-gpu' && !probe.gpu)
      return { name, available: false, detail: `${TFJS_NODE_GPU} loads but sees no CUDA GPU` }
    return { name, available: true, detail: describeTensorflow(probe) }
  })
}

const describeTensorflow = (p: TensorflowProbe & { ok: true }) =>
  `TensorFlow ${p.tfVersion}, oneDNN custom ops ${p.onednn ? 'on' : 'off (TF_ENABLE_ONEDNN_OPTS=1 turns them on)'}`

/**
 * tfjs-node loaded in a child process first (see tensorflow-probe.ts: a damaged install can kill the process that
 * loads it). Not inside Electron, whose packaged binary cannot run as plain Node: there the job process that
 * loads it is the boundary. Undefined when not probed.
 */
function nativeProbe(name: BackendName): TensorflowProbe | undefined {
  oneDnnByDefault()
  if (process.versions.electron) return undefined
  return probeTensorflow({ packageDir: dirname(require.resolve(`${PACKAGE[name]}/package.json`)) })
}

/**
 * TensorFlow turns its oneDNN ops on by itself only on CPUs with AVX-512 VNNI and the like; on the AVX2 machines
 * measured here they cut a training step's CPU time by about an eighth (scripts/profile-step.ts), so they are on
 * unless TF_ENABLE_ONEDNN_OPTS says otherwise. Set before TensorFlow loads (it reads the variable once), in this
 * process and so in the probe's child.
 */
function oneDnnByDefault(): void {
  process.env.TF_ENABLE_ONEDNN_OPTS ??= '1'
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

/** The backend `initBackend` made active, why better ones were passed over, and what it runs on. */
export interface ActiveBackend {
  name: BackendName
  notes: string[]
  /** webgpu: the GPU it runs on. */
  adapter?: GpuAdapterInfo
  /** The threads wasm trains on (absent for the other backends, which manage their own). */
  threads?: number
  /** With `split: 'batch'`: the model replicas to train, one a thread. */
  replicas?: number
}

/** What a started backend reports beyond its name. */
type Started = Pick<ActiveBackend, 'adapter' | 'threads' | 'replicas'>

/**
 * Loads one backend and makes it the active one; throws, in plain words, when it cannot be used here. `explicit`
 * is true when the user asked for this backend by name (only then may webgpu take a software adapter).
 */
async function activate(
  name: BackendName,
  notes: string[],
  explicit: boolean,
  options: BackendOptions = {}
): Promise<Started> {
  // Loaded here, not at the top, so `aestudio info` and the app's main process never load TensorFlow.js.
  const tf = await import('@tensorflow/tfjs')
  if (name === 'webgpu') {
    const adapter = await activateWebGpu(tf, {
      allowSoftware: explicit && process.env[SOFTWARE_GPU_ENV] === '1',
      softwareHint: explicit
        ? `set ${SOFTWARE_GPU_ENV}=1 to use it anyway, as the tests do`
        : 'auto never picks one'
    })
    notes.push(`webgpu: ${describeAdapter(adapter)}, through Dawn`)
    return { adapter }
  }
  if (name === 'tensorflow-gpu' || name === 'tensorflow') {
    let probe: TensorflowProbe | undefined
    try {
      probe = nativeProbe(name)
    } catch (err) {
      // Not installed: the GPU build may still provide the 'tensorflow' backend (see below).
      if (name !== 'tensorflow' || !tf.findBackendFactory('tensorflow')) throw new Error(explain(err))
    }
    if (probe && !probe.ok) throw new Error(probe.reason)
    if (probe?.ok && name === 'tensorflow-gpu' && !probe.gpu)
      throw new Error(`${TFJS_NODE_GPU} loaded but sees no CUDA GPU`)
    if (probe?.ok) notes.push(`tensorflow: ${describeTensorflow(probe)}`)
    try {
      require(PACKAGE[name])
    } catch (err) {
      // The GPU build also provides the 'tensorflow' backend: use it on the CPU if only it is installed.
      if (name !== 'tensorflow' || !tf.findBackendFactory('tensorflow')) throw new Error(explain(err))
    }
    ;(await import('../../engine/kernels')).registerTensorflowKernels()
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
    ;(await import('../../engine/kernels')).registerWasmKernels()
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
  ;(await import('../../engine/kernels')).registerCpuKernels()
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise')
  return {}
}

/**
 * Makes a training backend active: `auto` tries them best first (tensorflow-gpu, webgpu on a hardware GPU,
 * tensorflow, wasm, cpu) and the notes say, in plain words, why better ones were passed over; an explicit
 * choice that cannot be used throws.
 */
export function initBackend(choice: BackendChoice, options: BackendOptions = {}): Promise<ActiveBackend> {
  // One at a time: TensorFlow.js's setBackend is not safe to run twice at once (a second caller sees the first
  // one's half-started backend and fails), and a process may well load two models together.
  const run = starting.then(() => startBackend(choice, options))
  starting = run.catch(() => undefined)
  return run
}
let starting: Promise<unknown> = Promise.resolve()

/**
 * One rung of `auto`'s ladder, for a host that climbs it itself (the app puts its GPU window in webgpu's
 * place): the backend as `auto` would start it (a software GPU refused), or the bare reason it cannot be used.
 */
export function tryBackend(name: BackendName, options: BackendOptions = {}): Promise<ActiveBackend> {
  const run = starting.then(async () => {
    const notes: string[] = []
    return { name, notes, ...(await activate(name, notes, false, options)) }
  })
  starting = run.catch(() => undefined)
  return run
}

async function startBackend(choice: BackendChoice, options: BackendOptions): Promise<ActiveBackend> {
  if (options.threads !== undefined) checkThreads(options.threads)
  const notes: string[] = []
  const started = (name: BackendName, more: Started): ActiveBackend => ({ name, notes, ...more })
  if (choice !== 'auto') {
    let threads: Started
    try {
      threads = await activate(choice, notes, true, options)
    } catch (err) {
      throw new Error(`The ${choice} backend cannot be used here: ${(err as Error).message}`)
    }
    return started(choice, threads)
  }
  for (const name of BACKEND_ORDER) {
    try {
      return started(name, await activate(name, notes, false, options))
    } catch (err) {
      notes.push(`${name} passed over: ${(err as Error).message}`)
    }
  }
  throw new Error(`No training backend could be started:\n${notes.join('\n')}`)
}
