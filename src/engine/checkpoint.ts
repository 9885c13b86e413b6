import * as tf from '@tensorflow/tfjs'
import { parseTrainConfig, type TrainConfig } from '../shared/config'
import type { RngState } from './rng'
import { LeanAdam } from './adam'
import type { Autoencoder } from './autoencoder'
import type { TrainState } from './train-state'

/**
 * Checkpoint files: an 8-byte magic, a little-endian uint32 header length, a JSON header, zero padding to a multiple
 * of 8, then the raw little-endian tensor buffers the header describes. Simple to write atomically, to hash, and to
 * read back bit for bit.
 */
const MAGIC = Uint8Array.from('AECKPT\x00\x01', (c) => c.charCodeAt(0))
const FORMAT = 1

export type SavedDtype = 'float32' | 'int32'

export interface SavedTensor {
  name: string
  shape: number[]
  dtype: SavedDtype
  data: Float32Array | Int32Array
}

export interface CheckpointData {
  /** Epochs completed when it was written (1-based: 1 after the first epoch). */
  epoch: number
  config: TrainConfig
  /** The shuffling / noise RNG as it stood after `epoch`. */
  rng: RngState
  /** Best validation loss seen up to and including `epoch`. */
  bestValLoss: number | null
  /** Encoder then decoder weights, in each model's own (stable) order. */
  weights: SavedTensor[]
  /** Adam's state as getWeights() returns it: iterations, first moments, second moments. */
  optimizer: SavedTensor[]
  /** Adam's running β₁ᵗ and β₂ᵗ: restoring them exactly (not via pow) keeps a resumed run bit-identical. */
  adamPowers?: [number, number]
  /** Schedule and early-stopping counters after `epoch` (absent in checkpoints written before they existed). */
  trainState?: TrainState
}

interface TensorEntry {
  group: 'weights' | 'optimizer'
  name: string
  shape: number[]
  dtype: SavedDtype
  offset: number
  byteLength: number
}

interface Header extends Omit<CheckpointData, 'weights' | 'optimizer'> {
  format: number
  tensors: TensorEntry[]
}

export class CheckpointError extends Error {
  constructor(file: string, why: string) {
    super(`The checkpoint ${file} cannot be used: ${why}.`)
    this.name = 'CheckpointError'
  }
}

const pad8 = (n: number): number => (8 - (n % 8)) % 8

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** The checkpoint as bytes, ready to be written (and hashed) by the host. */
export function encodeCheckpoint(c: CheckpointData): Uint8Array {
  const tensors: TensorEntry[] = []
  const parts: Uint8Array[] = []
  let offset = 0
  for (const [group, list] of [
    ['weights', c.weights],
    ['optimizer', c.optimizer]
  ] as const) {
    for (const t of list) {
      // Typed arrays are little-endian on every platform TensorFlow.js runs on.
      const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)
      tensors.push({ group, name: t.name, shape: t.shape, dtype: t.dtype, offset, byteLength: bytes.length })
      parts.push(bytes)
      offset += bytes.length
    }
  }
  const header: Header = {
    format: FORMAT,
    epoch: c.epoch,
    config: c.config,
    rng: c.rng,
    bestValLoss: c.bestValLoss,
    adamPowers: c.adamPowers,
    trainState: c.trainState,
    tensors
  }
  const json = new TextEncoder().encode(JSON.stringify(header))
  const len = new Uint8Array(4)
  new DataView(len.buffer).setUint32(0, json.length, true)
  const padding = new Uint8Array(pad8(MAGIC.length + 4 + json.length))
  return concat([MAGIC, len, json, padding, ...parts])
}

const startsWithMagic = (buf: Uint8Array): boolean =>
  buf.length >= MAGIC.length + 4 && MAGIC.every((b, i) => buf[i] === b)

export function decodeCheckpoint(buf: Uint8Array, file = 'checkpoint'): CheckpointData {
  if (!startsWithMagic(buf)) throw new CheckpointError(file, 'it is not an Autoencoder Studio checkpoint')
  const jsonLength = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(MAGIC.length, true)
  const jsonEnd = MAGIC.length + 4 + jsonLength
  if (jsonEnd > buf.length) throw new CheckpointError(file, 'it is truncated')
  let header: Header
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(MAGIC.length + 4, jsonEnd))) as Header
  } catch {
    throw new CheckpointError(file, 'its header is damaged')
  }
  if (header.format !== FORMAT)
    throw new CheckpointError(file, `it has format ${header.format}; this version reads format ${FORMAT}`)
  const dataStart = jsonEnd + pad8(jsonEnd)
  const weights: SavedTensor[] = []
  const optimizer: SavedTensor[] = []
  for (const t of header.tensors) {
    const start = dataStart + t.offset
    const count = t.shape.reduce((a, b) => a * b, 1)
    if (t.byteLength !== count * 4 || start + t.byteLength > buf.length)
      throw new CheckpointError(file, 'it is truncated')
    // Copy into fresh, aligned memory: the file buffer's offsets need not be multiples of 4. (A copy made by
    // the constructor: a Node Buffer's slice() is a view of the whole pool.)
    const bytes = new Uint8Array(buf.subarray(start, start + t.byteLength))
    const data = t.dtype === 'int32' ? new Int32Array(bytes.buffer) : new Float32Array(bytes.buffer)
    ;(t.group === 'weights' ? weights : optimizer).push({
      name: t.name,
      shape: t.shape,
      dtype: t.dtype,
      data
    })
  }
  return {
    epoch: header.epoch,
    config: parseTrainConfig(header.config),
    rng: header.rng,
    bestValLoss: header.bestValLoss,
    adamPowers: header.adamPowers,
    trainState: header.trainState,
    weights,
    optimizer
  }
}

const modelWeights = (model: Autoencoder): tf.LayerVariable[] => [
  ...model.encoder.weights,
  ...model.decoder.weights
]

const saved = async (name: string, t: tf.Tensor): Promise<SavedTensor> => {
  if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new Error(`Cannot checkpoint a ${t.dtype} tensor`)
  // data(), not dataSync(): webgpu reads back only asynchronously under Node (its sync path needs a canvas).
  // slice(): some backends hand out their own storage, which later ops may reuse.
  const data = (await t.data()) as Float32Array | Int32Array
  return { name, shape: t.shape, dtype: t.dtype, data: data.slice() }
}

interface AdamInternals {
  accBeta1?: tf.Variable
  accBeta2?: tf.Variable
}

/** Copies the model's weights and the optimizer's state off the device. */
export async function captureState(
  model: Autoencoder,
  optimizer: tf.Optimizer
): Promise<Pick<CheckpointData, 'weights' | 'optimizer' | 'adamPowers'>> {
  const weights = await Promise.all(
    modelWeights(model).map((w, i) => saved(`${i}:${w.originalName}`, w.read()))
  )
  const named = await optimizer.getWeights()
  const optimizerState = await Promise.all(named.map((n) => saved(n.name, n.tensor)))
  // getWeights() makes a fresh scalar for the iteration count; the moments are the optimizer's own variables.
  named[0]?.tensor.dispose()
  const adam = optimizer as unknown as AdamInternals
  const adamPowers: [number, number] | undefined =
    adam.accBeta1 && adam.accBeta2
      ? [(await adam.accBeta1.data())[0], (await adam.accBeta2.data())[0]]
      : undefined
  return { weights, optimizer: optimizerState, adamPowers }
}

/** Loads saved weights into a model built from the same config. */
export function restoreWeights(model: Autoencoder, c: Pick<CheckpointData, 'weights'>): void {
  const vars = modelWeights(model)
  if (vars.length !== c.weights.length)
    throw new Error(`The checkpoint has ${c.weights.length} weight tensors; the model has ${vars.length}.`)
  vars.forEach((v, i) => {
    const s = c.weights[i]
    if (s.shape.join('x') !== v.shape.join('x'))
      throw new Error(`Checkpoint weight ${s.name} has shape [${s.shape}], the model expects [${v.shape}].`)
    const t = tf.tensor(s.data, s.shape, s.dtype)
    v.write(t)
    t.dispose()
  })
}

/** Loads saved weights and a fresh Adam's state (moments, iteration count, β powers). */
export async function restoreState(
  model: Autoencoder,
  optimizer: tf.Optimizer,
  c: Pick<CheckpointData, 'weights' | 'optimizer' | 'adamPowers'>
): Promise<void> {
  restoreWeights(model, c)
  if (c.optimizer.length === 0) return
  const named = c.optimizer.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, s.shape, s.dtype) }))
  await optimizer.setWeights(named)
  // setWeights makes its own variables from these tensors.
  tf.dispose(named.map((n) => n.tensor))
  if (c.adamPowers) restoreAdamPowers(optimizer, c.adamPowers)
}

/** Sets Adam's running β₁ᵗ and β₂ᵗ exactly (tfjs's setWeights recomputes them with pow, a rounding away). */
export function restoreAdamPowers(optimizer: tf.Optimizer, [b1, b2]: [number, number]): void {
  const adam = optimizer as unknown as AdamInternals
  if (!adam.accBeta1 || !adam.accBeta2) return
  tf.tidy(() => {
    adam.accBeta1!.assign(tf.scalar(b1))
    adam.accBeta2!.assign(tf.scalar(b2))
  })
  // Not instanceof: tfjs's optimizers answer instanceof by duck typing, so a tfjs Adam would pass.
  if (optimizer.constructor === LeanAdam) (optimizer as LeanAdam).setPowers(b1, b2)
}
