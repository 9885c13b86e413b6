// A few epochs of real training (trainLoop, the model's own loss, Adam) on fixed synthetic pixels, for comparing
// the wasm backend at different thread counts.
import * as tf from '@tensorflow/tfjs'
import { JobControl } from '../../src/shared/control'
import { trainLoop, type LoopOutcome } from '../../src/engine/loop'
import { buildModel } from '../../src/engine/models'
import { startReplicas } from '../../src/main/backends/replicas'
import { Rng } from '../../src/engine/rng'
import { parseTrainConfig, type ModelKind } from '../../src/shared/config'

export interface TrainedResult {
  /** Per epoch: training loss, then validation loss. */
  losses: number[]
  /** Every trainable variable's values after the last step. */
  weights: Float32Array[]
  /** tf.memory().numTensors at the end of each epoch. */
  tensors: number[]
  outcome: LoopOutcome
}

export async function trainFewSteps(
  model: ModelKind,
  opts: {
    size?: number
    count?: number
    upsample?: 'transpose' | 'resize'
    /** Data-parallel: this many model replicas (replicas.ts) share every batch. */
    replicas?: number
    batch?: number
    control?: JobControl
    onBatch?: () => void
  } = {}
): Promise<TrainedResult> {
  const size = opts.size ?? 16
  const count = opts.count ?? 24
  const config = parseTrainConfig({
    model,
    upsample: opts.upsample,
    size,
    channels: 3,
    latent: 8,
    batch: opts.batch ?? 8,
    epochs: 2,
    lr: 1e-3,
    seed: 3,
    backend: 'wasm'
  })
  const pixels = new Uint8Array(count * size * size * 3)
  const rng = new Rng(7)
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(rng.next() * 256)
  const ae = buildModel(config)
  const optimizer = tf.train.adam(config.lr)
  const losses: number[] = []
  const tensors: number[] = []
  const replicas = opts.replicas ? await startReplicas(ae, opts.replicas) : undefined
  try {
    const outcome = await trainLoop({
      model: ae,
      optimizer,
      config,
      rng: new Rng(5),
      startEpoch: 0,
      control: opts.control,
      gradients: replicas?.gradients,
      batchIntervalMs: 0,
      data: {
        size,
        channels: 3,
        train: pixels,
        trainCount: count,
        val: pixels.subarray(0, 8 * size * size * 3),
        valCount: 8
      },
      onBatch: opts.onBatch,
      onEpoch: (e) => {
        losses.push(e.loss, e.valLoss!)
        tensors.push(e.tensors)
      }
    })
    const weights = ae.trainableVariables.map((v) => v.dataSync() as Float32Array)
    return { losses, weights, tensors, outcome }
  } finally {
    await replicas?.dispose()
    optimizer.dispose()
    ae.dispose()
  }
}

/**
 * Trains conv (with `opts`) under a JobControl that pauses after the first batch, resumes 50 ms later and stops
 * after the fourth: the run's outcome and the batches it trained.
 */
export async function pausedRun(opts: { replicas?: number } = {}) {
  const control = new JobControl()
  let batches = 0
  const r = await trainFewSteps('conv', {
    ...opts,
    control,
    onBatch: () => {
      batches++
      if (batches === 1) {
        control.apply('pause')
        setTimeout(() => control.apply('resume'), 50)
      }
      if (batches === 4) control.apply('stop')
    }
  })
  return { outcome: r.outcome, batches }
}

/** OS threads of this process (Linux), or null where /proc is not there to count them. */
export async function osThreads(): Promise<number | null> {
  const { existsSync, readdirSync } = await import('node:fs')
  return existsSync('/proc/self/task') ? readdirSync('/proc/self/task').length : null
}

/** Polls until `osThreads()` is at most `n` (worker threads end asynchronously), or gives up after `ms`. */
export async function settleThreads(n: number, ms = 10_000): Promise<number | null> {
  const end = Date.now() + ms
  let now = await osThreads()
  while (now !== null && now > n && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 25))
    now = await osThreads()
  }
  return now
}
