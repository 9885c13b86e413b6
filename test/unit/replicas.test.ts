// Data-parallel wasm training: model replicas on worker threads, each on a slice of every batch, against the
// same training on one thread.
import * as tf from '@tensorflow/tfjs'
import * as wasm from '@tensorflow/tfjs-backend-wasm'
import { describe, expect, it } from 'vitest'
import { initBackend, type ActiveBackend } from '../../src/main/backends/activate'
import { trainLoop } from '../../src/engine/loop'
import { buildModel } from '../../src/engine/models'
import { sliceSizes, startReplicas, startTrainingReplicas } from '../../src/main/backends/replicas'
import { Rng } from '../../src/engine/rng'
import { modelKinds, parseTrainConfig, type ModelKind } from '../../src/shared/config'
import { osThreads, pausedRun, settleThreads, trainFewSteps, type TrainedResult } from '../helpers/wasm-train'

const script = (source: string) => new URL(`data:text/javascript,${encodeURIComponent(source)}`)
const READY = `import { parentPort } from 'node:worker_threads'\nparentPort.postMessage({ type: 'ready' })\n`

/** Every loss within `rel` of the other's, every weight within `abs`. */
function expectClose(a: TrainedResult, b: TrainedResult, name: string, rel = 2e-5, abs = 1e-6) {
  a.losses.forEach((l, i) =>
    expect(Math.abs(l - b.losses[i]) / b.losses[i], `${name} loss ${i}`).toBeLessThan(rel)
  )
  a.weights.forEach((w, i) => {
    let worst = 0
    for (let j = 0; j < w.length; j++) worst = Math.max(worst, Math.abs(w[j] - b.weights[i][j]))
    expect(worst, `${name} weights ${i}`).toBeLessThan(abs)
  })
}

describe('data-parallel replicas', () => {
  it('split batches as evenly as they go, the larger slices first', () => {
    expect(sliceSizes(32, 2)).toEqual([16, 16])
    expect(sliceSizes(5, 2)).toEqual([3, 2])
    expect(sliceSizes(7, 3)).toEqual([3, 2, 2])
    expect(sliceSizes(3, 4)).toEqual([1, 1, 1, 0])
  })

  it('leave the backend on one thread, the threads going to replicas', async () => {
    const started = await initBackend('wasm', { threads: 2, split: 'batch' })
    expect(started).toEqual({
      name: 'wasm',
      notes: ['wasm: SIMD on, 2 threads (data-parallel: each batch split over 2 model replicas)'],
      threads: 2,
      replicas: 2
    })
    expect(wasm.getThreadsCount()).toBe(1)
  })

  it('train every model kind as one thread does, within float rounding, tensors flat', async () => {
    const cases: [string, ModelKind, number][] = [
      ...modelKinds.map((k): [string, ModelKind, number] => [k, k, 2]),
      // 8 rows over 3 replicas: slices of 3, 3 and 2, weighted unequally.
      ['conv on 3 replicas', 'conv', 3]
    ]
    for (const [name, kind, replicas] of cases) {
      const one = await trainFewSteps(kind)
      const many = await trainFewSteps(kind, { replicas })
      expect(many.outcome, name).toEqual({ status: 'done', epochsDone: 2 })
      expect(many.tensors[1], name).toBe(many.tensors[0])
      expectClose(many, one, name)
    }
  })

  it('pause, resume and stop a run', async () => {
    const { outcome } = await pausedRun({ replicas: 2 })
    expect(outcome).toEqual({ status: 'stopped', epochsDone: 1 })
  })

  it('stop their worker threads when disposed', async () => {
    const before = await osThreads()
    const model = buildModel(parseTrainConfig({ model: 'dense', size: 8, channels: 1, latent: 4 }))
    const replicas = await startReplicas(model, 3)
    if (before !== null) expect(await osThreads()).toBeGreaterThanOrEqual(before + 2)
    await replicas.dispose()
    if (before !== null) expect(await settleThreads(before)).toBe(before)
    const x = tf.zeros([2, 8, 8, 1]) as tf.Tensor4D
    await expect(replicas.gradients(x, x, 1)).rejects.toThrow('the training replicas were stopped')
    tf.dispose(x)
    model.dispose()
  })
})

describe('replicas that cannot start or that fail', () => {
  const model = () => buildModel(parseTrainConfig({ model: 'dense', size: 8, channels: 1, latent: 4 }))

  it.each([
    ['throws', script('throw new Error("no replica here")'), 'a training replica failed: no replica here'],
    ['exits', script('process.exit(4)'), 'a training replica stopped (exit code 4)'],
    ['never answers', script('setInterval(() => {}, 1000)'), 'the training replicas did not start within 1 s']
  ])('a worker that %s: a plain-words error and no thread left', async (_, workerUrl, message) => {
    const m = model()
    const before = await osThreads()
    await expect(startReplicas(m, 3, { workerUrl, timeoutMs: 1000 })).rejects.toThrow(message)
    if (before !== null) expect(await settleThreads(before)).toBe(before)
    m.dispose()
  })

  it('fall back to one thread with the reason in the backend note', async () => {
    const m = model()
    const backend: ActiveBackend = {
      name: 'wasm',
      notes: ['wasm: SIMD on, 2 threads (data-parallel: each batch split over 2 model replicas)'],
      threads: 2,
      replicas: 2
    }
    const workerUrl = script('throw new Error("no replica here")')
    expect(await startTrainingReplicas(m, backend, { workerUrl })).toBeUndefined()
    expect(backend).toEqual({
      name: 'wasm',
      notes: [
        'wasm: SIMD on, 1 thread (XNNPACK); 2 data-parallel replicas could not start: a training replica failed: no replica here'
      ],
      threads: 1,
      replicas: 1
    })
    m.dispose()
  })

  it('fail the run, not hang it, when a replica dies mid-training', async () => {
    const config = parseTrainConfig({ model: 'dense', size: 8, channels: 1, latent: 4, batch: 4, epochs: 1 })
    const m = buildModel(config)
    const replicas = await startReplicas(m, 2, {
      workerUrl: script(`${READY}parentPort.on('message', () => process.exit(3))\n`)
    })
    const optimizer = tf.train.adam(1e-3)
    const pixels = new Uint8Array(8 * 64)
    await expect(
      trainLoop({
        model: m,
        optimizer,
        config,
        rng: new Rng(1),
        startEpoch: 0,
        gradients: replicas.gradients,
        data: { size: 8, channels: 1, train: pixels, trainCount: 8, val: pixels, valCount: 0 }
      })
    ).rejects.toThrow('a training replica stopped (exit code 3)')
    await replicas.dispose()
    optimizer.dispose()
    m.dispose()
  })
})
