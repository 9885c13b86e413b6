import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs'
import { batchGradients, type GradientStep, type StepGradients } from '../../engine/loop'
import { heapView } from './replica-memory'
import type { ReplicaInit, ReplicaReply, ReplicaStep } from './replica-protocol'
import type { ActiveBackend } from './activate'
import type { Autoencoder } from '../../engine/autoencoder'

const require = createRequire(import.meta.url)
const here = dirname(fileURLToPath(import.meta.url))

/**
 * Data-parallel training on the wasm backend: `count` copies of the model (this thread's and count − 1 worker
 * threads', each on its own single-threaded wasm instance) each compute the gradients of an equal slice of the
 * batch, and their size-weighted mean is the batch's gradient. The batch loss is a mean over samples, so this
 * equals the one-thread gradient up to float rounding; the replicas get this thread's weights every step, so the
 * optimizer runs here alone. Syncing once a step, not once a kernel, keeps both cores busy even for small images:
 * on 2 cores the busiest thread of a benchmark-network step took 400 ms on one thread, 285 ms with XNNPACK's pool
 * of 2, 223 ms with 2 replicas (32×32 grey: 87, 68, 57 ms).
 */
export interface Replicas {
  readonly count: number
  readonly gradients: GradientStep
  /** Stops the workers (idempotent); the model and its tensors stay with the caller. */
  dispose(): Promise<void>
}

/** The replica entry: built beside the bundle (out/main/replica-worker.js), else the source through tsx. */
function workerUrl(): URL {
  const built = [join(here, 'replica-worker.js'), join(here, '..', 'replica-worker.js')].find((f) =>
    existsSync(f)
  )
  if (built) return pathToFileURL(built)
  // tsx's ES-module register() (the CommonJS one require.resolve finds cannot be imported from a data: URL).
  const pkg = require.resolve('tsx/package.json')
  const api = (
    JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, { import: { default: string } }> }
  ).exports['./esm/api'].import.default
  const tsx = pathToFileURL(join(dirname(pkg), api)).href
  const entry = pathToFileURL(join(here, 'replica-worker.ts')).href
  const boot = `import { register } from ${JSON.stringify(tsx)}\nregister()\nawait import(${JSON.stringify(entry)})\n`
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`)
}

/** Sizes of `count` slices of `n` rows, as equal as they come (larger first). */
export const sliceSizes = (n: number, count: number): number[] =>
  Array.from({ length: count }, (_, i) => Math.floor(n / count) + (i < n % count ? 1 : 0))

/**
 * Starts `count − 1` replica workers for `model` (built from its config, so same shapes) and waits until each
 * has its backend and model. Throws, in plain words, when one cannot start; none is left running then.
 */
export async function startReplicas(
  model: Autoencoder,
  count: number,
  options: { timeoutMs?: number; workerUrl?: URL } = {}
): Promise<Replicas> {
  if (!Number.isInteger(count) || count < 2)
    throw new Error(`replicas need a count of at least 2, got ${count}`)
  const url = options.workerUrl ?? workerUrl()
  const vars = model.trainableVariables
  const sizes = vars.map((v) => v.size)
  const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0))
  const total = sizes.reduce((a, b) => a + b, 0)
  // Shared memory, so a step copies weights and gradients once each way and allocates nothing.
  const weightBuf = new SharedArrayBuffer(total * 4)
  const weights = new Float32Array(weightBuf)
  const gradBufs = Array.from({ length: count - 1 }, () => new SharedArrayBuffer(total * 4))
  const workers = gradBufs.map((grads) => {
    const init: ReplicaInit = { config: model.config, sizes, weights: weightBuf, grads }
    return new Worker(url, { workerData: init })
  })
  /** Each worker's input and target rows, grown when a batch needs more. */
  const rowBufs = workers.map(() => ({ input: new SharedArrayBuffer(0), target: new SharedArrayBuffer(0) }))
  const fit = (buf: SharedArrayBuffer, bytes: number) =>
    buf.byteLength >= bytes ? buf : new SharedArrayBuffer(bytes)
  let broken: Error | null = null
  const waiting = new Set<(err: Error) => void>()
  const breakAll = (err: Error) => {
    broken ??= err
    for (const fail of waiting) fail(broken)
    waiting.clear()
  }
  for (const w of workers) {
    w.on('error', (e) => breakAll(new Error(`a training replica failed: ${e.message}`)))
    w.on('exit', (code) => breakAll(new Error(`a training replica stopped (exit code ${code})`)))
  }
  /** The next reply of `w`, or the failure of any replica. */
  const next = (w: Worker) =>
    new Promise<ReplicaReply>((resolve, reject) => {
      if (broken) return reject(broken)
      const fail = (err: Error) => {
        w.off('message', ok)
        reject(err)
      }
      const ok = (m: ReplicaReply) => {
        waiting.delete(fail)
        if (m.type === 'failed') {
          const err = new Error(`a training replica failed: ${m.message}`)
          breakAll(err)
          return reject(err)
        }
        resolve(m)
      }
      waiting.add(fail)
      w.once('message', ok)
    })
  const stop = async () => {
    breakAll(new Error('the training replicas were stopped'))
    await Promise.all(workers.map((w) => w.terminate()))
  }

  const timeoutMs = options.timeoutMs ?? 60_000
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      Promise.all(workers.map(next)),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the training replicas did not start within ${timeoutMs / 1000} s`)),
          timeoutMs
        )
      })
    ])
  } catch (err) {
    await stop()
    throw err
  } finally {
    clearTimeout(timer)
  }
  // Idle replicas must not keep a finished process alive; a step in flight holds them (see `gradients`).
  for (const w of workers) w.unref()

  const gradients: GradientStep = async (input, target, seed) => {
    if (broken) throw broken
    const n = input.shape[0]
    const rowsShape = (t: tf.Tensor4D, rows: number) =>
      [rows, ...t.shape.slice(1)] as [number, number, number, number]
    const rowCounts = sliceSizes(n, count)
    const firstRows = rowCounts.map((_, i) => rowCounts.slice(0, i).reduce((a, b) => a + b, 0))
    vars.forEach((v, i) => weights.set(heapView(v), offsets[i]))
    const busy = workers.filter((_, j) => rowCounts[j + 1] > 0)
    const replies = busy.map((w, j) => {
      const i = j + 1
      const rows = (t: tf.Tensor4D, key: 'input' | 'target') => {
        const per = t.size / n
        const buf = (rowBufs[j][key] = fit(rowBufs[j][key], rowCounts[i] * per * 4))
        // Whole images are contiguous rows of the batch: one copy out of the heap.
        new Float32Array(buf).set(
          heapView(t).subarray(firstRows[i] * per, (firstRows[i] + rowCounts[i]) * per)
        )
        return buf
      }
      const msg: ReplicaStep = {
        input: rows(input, 'input'),
        inputShape: rowsShape(input, rowCounts[i]),
        target: target === input ? undefined : rows(target, 'target'),
        targetShape: rowsShape(target, rowCounts[i]),
        seed,
        slice: { offset: firstRows[i], of: n }
      }
      w.ref()
      const reply = next(w)
      w.postMessage(msg)
      return reply
    })
    // This thread's slice, while the replicas work on theirs.
    const own = tf.tidy(() => {
      const x = tf.slice(input, [0, 0, 0, 0], [rowCounts[0], -1, -1, -1])
      const y = target === input ? x : tf.slice(target, [0, 0, 0, 0], [rowCounts[0], -1, -1, -1])
      const r = batchGradients(model, x, y, seed, { offset: 0, of: n })
      return { ...r } as unknown as tf.TensorContainerObject
    }) as unknown as StepGradients
    let theirs: Extract<ReplicaReply, { type: 'grads' }>[]
    try {
      theirs = (await Promise.all(replies)) as typeof theirs
    } catch (err) {
      tf.dispose([own.value, own.recon, ...(own.kl ? [own.kl] : []), ...own.grads])
      throw err
    } finally {
      for (const w of busy) w.unref()
    }
    // The size-weighted mean, summed in replica order (so a given replica count always rounds alike).
    const share = rowCounts.map((k) => k / n)
    const scalar = (mine: tf.Scalar, pick: (r: (typeof theirs)[number]) => number) => {
      let sum = mine.dataSync()[0] * share[0]
      theirs.forEach((r, j) => (sum += pick(r) * share[j + 1]))
      return tf.scalar(sum)
    }
    const out: StepGradients = {
      value: scalar(own.value, (r) => r.value),
      recon: scalar(own.recon, (r) => r.recon),
      grads: own.grads.map((g, k) =>
        tf.tidy(() =>
          theirs.reduce(
            (sum, _, j) =>
              tf.add(
                sum,
                tf.mul(
                  tf.tensor(new Float32Array(gradBufs[j], offsets[k] * 4, sizes[k]), g.shape),
                  share[j + 1]
                )
              ),
            tf.mul(g, share[0])
          )
        )
      )
    }
    if (own.kl) out.kl = scalar(own.kl, (r) => r.kl)
    tf.dispose([own.value, own.recon, ...(own.kl ? [own.kl] : []), ...own.grads])
    return out
  }
  return { count, gradients, dispose: stop }
}

/**
 * The replicas a backend started with `split: 'batch'` asks for, or none. Replicas that cannot start leave
 * training on one thread, never failing it: `backend` then says so in its note and its thread count.
 */
export async function startTrainingReplicas(
  model: Autoencoder,
  backend: ActiveBackend,
  options?: { timeoutMs?: number; workerUrl?: URL }
): Promise<Replicas | undefined> {
  const wanted = backend.replicas ?? 1
  if (wanted < 2) return undefined
  try {
    return await startReplicas(model, wanted, options)
  } catch (err) {
    const note = `wasm: SIMD on, 1 thread (XNNPACK); ${wanted} data-parallel replicas could not start: ${(err as Error).message}`
    const i = backend.notes.findIndex((n) => n.startsWith('wasm: SIMD on'))
    if (i >= 0) backend.notes[i] = note
    else backend.notes.push(note)
    backend.threads = 1
    backend.replicas = 1
    return undefined
  }
}
