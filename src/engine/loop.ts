import * as tf from '@tensorflow/tfjs'
import type { TrainConfig } from '../shared/config'
import type { TrainingBatch, TrainingEpoch } from '../shared/contract/training'
import type { JobControl } from '../shared/control'
import { augmentIsOn } from '../shared/train-options'
import { augmentBatch } from './augment'
import { earlyStopStep } from './early-stop'
import { toGrey } from './models/grey'
import { corrupt } from './noise'
import { batchTensor } from './pixels'
import type { Rng } from './rng'
import type { Autoencoder, BatchSlice } from './autoencoder'
import { learningRateAt, plateauStart, plateauStep } from './schedule'
import { initialTrainState, type TrainState } from './train-state'
import { applyWeightDecay, decayedVariables, setLearningRate } from './weight-decay'

/** Pixels as the importer caches them: NHWC bytes, one split each. */
export interface TrainingSet {
  size: number
  channels: number
  train: Uint8Array
  trainCount: number
  val: Uint8Array
  valCount: number
}

/** One finished epoch: the `training.epoch` event less its run id. */
export type EpochReport = Omit<TrainingEpoch, 'runId'>

/** Throttled progress within an epoch: the `training.batch` event less its run id. */
export type BatchReport = Omit<TrainingBatch, 'runId'>

export interface LoopOptions {
  model: Autoencoder
  optimizer: tf.Optimizer
  data: TrainingSet
  config: TrainConfig
  /** Shuffling and noise; saved with every checkpoint so a resumed run draws the same numbers. */
  rng: Rng
  /** Epochs already done (0 for a new run, the checkpoint's epoch on resume). */
  startEpoch: number
  /** Schedule and early-stopping counters, updated after every epoch (before onEpoch, so checkpoints save them). */
  state?: TrainState
  control?: JobControl
  /** Throttled to one call per `batchIntervalMs` (and the last batch of each epoch). */
  onBatch?(report: BatchReport): void
  /** Awaited after every epoch, before the next starts: the place to write checkpoints. */
  onEpoch?(report: EpochReport): Promise<void> | void
  onPause?(paused: boolean): void
  batchIntervalMs?: number
  now?: () => number
  /** The host's resident memory in bytes, reported with every epoch (the engine cannot measure it itself); 0 where
   *  the host cannot tell. */
  residentBytes?: () => number
  /**
   * Computes a batch's loss and gradients; by default `batchGradients`, here. A host may spread the batch over
   * workers instead (data-parallel training), giving the same result within float rounding.
   */
  gradients?: GradientStep
}

/** One batch's loss terms and the gradients of its total, in `trainableVariables` order. */
export interface StepGradients {
  value: tf.Scalar
  recon: tf.Scalar
  kl?: tf.Scalar
  grads: tf.Tensor[]
}

export type GradientStep = (input: tf.Tensor4D, target: tf.Tensor4D, seed: number) => Promise<StepGradients>

/** Loss and gradients of one batch (or one slice of a batch) on the active backend. */
export function batchGradients(
  model: Autoencoder,
  input: tf.Tensor4D,
  target: tf.Tensor4D,
  seed: number,
  slice?: BatchSlice
): StepGradients {
  let recon: tf.Scalar | undefined
  let kl: tf.Scalar | undefined
  const vars = model.trainableVariables
  const { value, grads } = tf.variableGrads(() => {
    const terms = model.loss(input, target, true, seed, slice)
    recon = tf.keep(terms.recon)
    if (terms.kl) kl = tf.keep(terms.kl)
    return terms.total
  }, vars)
  return { value, recon: recon!, kl, grads: vars.map((v) => grads[v.name]) }
}

export interface LoopOutcome {
  status: 'done' | 'stopped'
  epochsDone: number
  /** Set when early stopping ended the run: the epoch it stopped after. */
  stoppedEarly?: number
}

/** The loss became NaN or infinite: the weights are garbage from this point on. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly epoch: number,
    readonly batch: number | null,
    readonly value: number
  ) {
    super(
      `The loss became ${Number.isNaN(value) ? 'NaN' : 'infinite'} in epoch ${epoch}` +
        `${batch === null ? ' (validation)' : `, around batch ${batch}`}: training diverged. ` +
        'Try a lower learning rate (--lr) or gradient clipping (clipNorm).'
    )
    this.name = 'NonFiniteLossError'
  }
}

/**
 * What the encoder sees for a clean batch: corrupted for denoising, its luminance for colourisation (the
 * target stays the colour image), the batch itself otherwise.
 */
export function modelInput(x: tf.Tensor4D, config: TrainConfig, seed: number): tf.Tensor4D {
  if (config.model === 'denoising') return corrupt(x, config.noise, seed)
  if (config.model === 'colorize') return toGrey(x)
  return x
}

/** Scales gradients so their global L2 norm is at most `clipNorm`. */
export function clipByGlobalNorm(grads: tf.Tensor[], clipNorm: number): tf.Tensor[] {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))))
    const scale = tf.div(clipNorm, tf.maximum(norm, clipNorm))
    return grads.map((g) => tf.mul(g, scale))
  })
}

/**
 * Lets the host's event loop run (control messages, progress) between batches: setImmediate where there is one
 * (Node), else a MessageChannel hop (a page, where setTimeout would be clamped to 4 ms).
 */
export function yieldToEventLoop(): Promise<void> {
  const { setImmediate } = globalThis as { setImmediate?: (fn: () => void) => void }
  if (setImmediate) return new Promise((resolve) => setImmediate(resolve))
  return new Promise((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = () => {
      channel.port1.close()
      resolve()
    }
    channel.port2.postMessage(null)
  })
}

/** Mean loss over a split, in batches, without gradients; noise (denoising) uses a fixed seed. */
export async function evaluateLoss(
  model: Autoencoder,
  pixels: Uint8Array,
  count: number,
  config: TrainConfig,
  size: number,
  channels: number
): Promise<number | null> {
  if (count === 0) return null
  let sum = 0
  for (let start = 0; start < count; start += config.batch) {
    const n = Math.min(config.batch, count - start)
    const idx = Array.from({ length: n }, (_, i) => start + i)
    const total = tf.tidy(() => {
      const x = batchTensor(pixels, idx, size, channels)
      const input = modelInput(x, config, config.seed)
      return tf.mul(model.loss(input, x, false, config.seed).total, n)
    })
    sum += (await total.data())[0]
    total.dispose()
    await yieldToEventLoop()
  }
  return sum / count
}

/**
 * Trains from epoch `startEpoch + 1` to `config.epochs` with Adam, shuffling with the seeded RNG, and reports
 * progress. Control (pause/stop) is honoured between batches; a stop drops the unfinished epoch, so the last
 * checkpoint stays consistent. Throws NonFiniteLossError when the loss diverges.
 */
export async function trainLoop(o: LoopOptions): Promise<LoopOutcome> {
  const { model, optimizer, data, config, rng, control } = o
  const state = o.state ?? initialTrainState(config)
  const augment = augmentIsOn(config.augment)
  const now = o.now ?? (() => performance.now())
  const interval = o.batchIntervalMs ?? 200
  const { size, channels, trainCount } = data
  if (trainCount === 0) throw new Error('The dataset has no training images.')
  const vars = model.trainableVariables
  const decayed = decayedVariables(vars)
  const batches = Math.ceil(trainCount / config.batch)
  const order = Int32Array.from({ length: trainCount }, (_, i) => i)
  const epochTimes: number[] = []
  let epochsDone = o.startEpoch

  for (let epoch = o.startEpoch + 1; epoch <= config.epochs; epoch++) {
    // Shuffle a fresh identity each epoch, so the order depends only on the RNG state (which checkpoints save).
    for (let i = 0; i < trainCount; i++) order[i] = i
    rng.shuffle(order)
    let pausedMs = 0
    const started = now()
    let lastReport = started
    const sums = { loss: tf.scalar(0), recon: tf.scalar(0), kl: tf.scalar(0) }
    let seen = 0
    const readLoss = async (batch: number | null): Promise<number> => {
      const v = (await sums.loss.data())[0] / Math.max(seen, 1)
      if (!Number.isFinite(v)) throw new NonFiniteLossError(epoch, batch, v)
      return v
    }
    try {
      for (let b = 0; b < batches; b++) {
        if (control?.isPaused) {
          const t = now()
          o.onPause?.(true)
          await control.checkpoint()
          pausedMs += now() - t
          if (!control.stopped) o.onPause?.(false)
        }
        if (control?.stopped) return { status: 'stopped', epochsDone }
        const idx = order.subarray(b * config.batch, Math.min(trainCount, (b + 1) * config.batch))
        const n = idx.length
        const seed = rng.seed()
        const lr = learningRateAt(config.lrSchedule, config.lr, state.plateau, {
          epoch,
          epochs: config.epochs,
          batch: b,
          batches
        })
        setLearningRate(optimizer, lr)
        state.lr = lr
        // Augmented before the model input is made, so denoising corrupts the augmented image.
        const clean = batchTensor(data.train, idx, size, channels)
        const x = augment ? augmentBatch(clean, config.augment, seed) : clean
        if (augment) clean.dispose()
        const input = modelInput(x, config, seed)
        const {
          value,
          recon,
          kl,
          grads: list
        } = o.gradients ? await o.gradients(input, x, seed) : batchGradients(model, input, x, seed)
        const applied = config.clipNorm > 0 ? clipByGlobalNorm(list, config.clipNorm) : list
        optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: applied[i] })))
        applyWeightDecay(decayed, lr, config.weightDecay)
        const next = tf.tidy(() => ({
          loss: tf.add(sums.loss, tf.mul(value, n)),
          recon: tf.add(sums.recon, tf.mul(recon, n)),
          kl: kl ? tf.add(sums.kl, tf.mul(kl, n)) : tf.clone(sums.kl)
        }))
        tf.dispose([
          sums.loss,
          sums.recon,
          sums.kl,
          value,
          x,
          input,
          recon,
          ...(kl ? [kl] : []),
          ...list,
          ...applied
        ])
        Object.assign(sums, next)
        seen += n
        const t = now()
        if (t - lastReport >= interval || b === batches - 1) {
          lastReport = t
          const loss = await readLoss(b + 1)
          const trainSeconds = (t - started - pausedMs) / 1000
          o.onBatch?.({
            epoch,
            epochs: config.epochs,
            batch: b + 1,
            batches,
            loss,
            imagesPerSecond: trainSeconds > 0 ? seen / trainSeconds : 0
          })
        }
        await yieldToEventLoop()
      }
      const loss = await readLoss(batches)
      const trainSeconds = (now() - started - pausedMs) / 1000
      const recon = (await sums.recon.data())[0] / seen
      const kl = config.model === 'vae' ? (await sums.kl.data())[0] / seen : null
      const valLoss = await evaluateLoss(model, data.val, data.valCount, config, size, channels)
      if (valLoss !== null && !Number.isFinite(valLoss)) throw new NonFiniteLossError(epoch, null, valLoss)
      const seconds = (now() - started - pausedMs) / 1000
      epochTimes.push(seconds)
      const mean = epochTimes.reduce((a, b) => a + b, 0) / epochTimes.length
      tf.dispose([sums.loss, sums.recon, sums.kl])
      const score = valLoss ?? loss
      const s = config.lrSchedule
      if (s.kind === 'plateau')
        state.plateau = plateauStep(state.plateau ?? plateauStart(config.lr), score, s)
      const early = earlyStopStep(state.earlyStop, epoch, score, config.earlyStop)
      state.earlyStop = early.state
      await o.onEpoch?.({
        epoch,
        epochs: config.epochs,
        loss,
        recon,
        kl,
        valLoss,
        imagesPerSecond: trainSeconds > 0 ? trainCount / trainSeconds : 0,
        seconds,
        etaSeconds: mean * (config.epochs - epoch),
        tensors: tf.memory().numTensors,
        rss: o.residentBytes?.() ?? 0,
        lr: state.lr
      })
      epochsDone = epoch
      if (early.stop) return { status: 'done', epochsDone, stoppedEarly: epoch }
    } finally {
      tf.dispose([sums.loss, sums.recon, sums.kl])
    }
  }
  return { status: 'done', epochsDone }
}
