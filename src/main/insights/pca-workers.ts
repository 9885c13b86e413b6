/**
 * The subspace PCA's passes over the data split across worker threads, each owning a range of rows: the images
 * are shared (one SharedArrayBuffer, copied once), each pass sends the directions and sums the partial products.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { KERNEL_SOURCE, type CovarianceOperator, type PcaRows } from './pca-kernel'

/** CommonJS, evaluated: runs from Node and Electron's main process alike, with no file to bundle or locate. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const kernel = (${KERNEL_SOURCE})
const { values, scale, start, end, dim } = workerData
parentPort.on('message', ({ q, l, mean }) => {
  const z = new Float64Array(dim * l)
  const total = kernel(values, scale, start, end, dim, mean, q, l, z)
  parentPort.postMessage({ z, total }, [z.buffer])
})
`

/** Below this many values a pass takes milliseconds: threads would only add their start-up time. */
const PARALLEL_FROM = 4_000_000

export const defaultThreads = (): number => Math.max(1, Math.min(8, availableParallelism()))

/** The values in shared memory (copied once unless they already are), so every worker reads the same images. */
function shareable(values: Uint8Array | Float64Array): Uint8Array | Float64Array {
  if (values.buffer instanceof SharedArrayBuffer) return values
  const buffer = new SharedArrayBuffer(values.byteLength)
  const copy = values instanceof Uint8Array ? new Uint8Array(buffer) : new Float64Array(buffer)
  copy.set(values)
  return copy
}

/** An operator over `threads` workers (at most one per 2 rows); close() ends them. */
export function workerOperator(rows: PcaRows, threads = defaultThreads()): CovarianceOperator {
  const { count, dim } = rows
  const shared = shareable(rows.values)
  const n = Math.max(1, Math.min(threads, Math.floor(count / 2)))
  const workers = Array.from({ length: n }, (_, w) => {
    const start = Math.floor((count * w) / n)
    const end = Math.floor((count * (w + 1)) / n)
    return new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { values: shared, scale: rows.scale, start, end, dim }
    })
  })
  const call = (w: Worker, message: object) =>
    new Promise<{ z: Float64Array; total: number }>((resolve, reject) => {
      const done = (m: { z: Float64Array; total: number }) => {
        w.off('error', fail)
        resolve(m)
      }
      const fail = (err: Error) => {
        w.off('message', done)
        reject(err)
      }
      w.once('message', done)
      w.once('error', fail)
      w.postMessage(message)
    })
  return {
    async times(q, l, mean) {
      const parts = await Promise.all(workers.map((w) => call(w, { q, l, mean })))
      const z = parts[0].z
      let total = parts[0].total
      for (const p of parts.slice(1)) {
        for (let i = 0; i < z.length; i++) z[i] += p.z[i]
        total += p.total
      }
      return { z, total }
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()))
    }
  }
}

/** Workers for big sets, this thread for small ones. */
export const operatorFor = (rows: PcaRows, threads = defaultThreads()): CovarianceOperator | undefined =>
  threads > 1 && rows.count * rows.dim >= PARALLEL_FROM ? workerOperator(rows, threads) : undefined
