import * as v from 'valibot'
import { augmentSchema, lrScheduleSchema, NO_AUGMENT } from './train-options'

/** The autoencoder family. One line each, shown next to the picker in the UI and in `aestudio --help`. */
export const MODEL_KINDS = {
  conv: 'Convolutional: the default; learns local shapes, good for faces and photos.',
  dense: 'Dense ("vanilla"): fully connected layers; simplest, blurrier on photos.',
  denoising: 'Denoising: the conv model trained to remove noise it adds to the inputs.',
  vae: 'Variational: a smooth latent space you can sample random new images from.',
  sparse: 'Sparse: penalises active code units, so each one tends to mean something.',
  contractive: 'Contractive: dense model penalised for sensitivity to tiny input changes.',
  colorize: 'Colourisation: the conv model fed grey images, trained to give back their colours (colour data).'
} as const
export type ModelKind = keyof typeof MODEL_KINDS
export const modelKinds = Object.keys(MODEL_KINDS) as ModelKind[]

export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const
export type BackendChoice = (typeof BACKEND_CHOICES)[number]

const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max))
const real = (min: number, max: number) => v.pipe(v.number(), v.finite(), v.minValue(min), v.maxValue(max))

export const noiseSchema = v.object({
  kind: v.picklist(['gaussian', 'saltpepper', 'mask', 'marks']),
  /**
   * σ for gaussian, the corrupted fraction for salt-and-pepper and masking, the fraction of pixels covered by
   * opaque marks (strokes, boxes, text-like blocks) for `marks`.
   */
  amount: real(0, 1)
})

const trainConfigObject = v.object({
  model: v.picklist(modelKinds),
  upsample: v.optional(v.picklist(['transpose', 'resize']), 'transpose'),
  latent: v.optional(int(2, 512), 32),
  size: v.optional(
    v.pipe(
      int(8, 256),
      v.check((n) => n % 8 === 0, 'must be a multiple of 8')
    ),
    64
  ),
  channels: v.optional(v.picklist([1, 3]), 3),
  loss: v.optional(v.picklist(['mse', 'bce']), 'mse'),
  epochs: v.optional(int(1, 10000), 20),
  batch: v.optional(int(1, 1024), 32),
  lr: v.optional(real(1e-7, 1), 0.001),
  /** VAE: weight of the KL term. */
  beta: v.optional(real(0, 1000), 1),
  /** Denoising: how inputs are corrupted. */
  noise: v.optional(noiseSchema, { kind: 'gaussian', amount: 0.2 }),
  /** Sparse (L1 on the code) and contractive (Jacobian norm) penalty weight. */
  lambda: v.optional(real(0, 100), 1e-3),
  /** Clip gradients to this global norm; 0 disables clipping. */
  clipNorm: v.optional(real(0, 1e6), 0),
  /** Training batches only; absent means off (so runs made before it existed resume unchanged). */
  augment: v.optional(augmentSchema, NO_AUGMENT),
  lrSchedule: v.optional(lrScheduleSchema, { kind: 'constant' }),
  /** Decoupled (AdamW) weight decay on kernels: w ← w − lr·weightDecay·w after each step; 0 disables it. */
  weightDecay: v.optional(real(0, 1), 0),
  /** Stop when the validation loss has not improved for this many epochs; 0 trains every epoch. */
  earlyStop: v.optional(int(0, 10000), 0),
  seed: v.optional(int(0, 2 ** 31 - 1), 1),
  backend: v.optional(v.picklist(BACKEND_CHOICES), 'auto')
})

export const COLORIZE_NEEDS_COLOUR =
  'Colourisation learns colours from colour images: it needs a colour dataset (3 channels). ' +
  'Import the folder with --channels 3 (the default).'

/**
 * One config object for a run: snapshotted into the run row and every checkpoint. `entries` stays reachable
 * (other schemas reuse single fields) even though cross-field checks make it a pipe.
 */
export const trainConfigSchema = Object.assign(
  v.pipe(
    trainConfigObject,
    v.forward(
      v.check((c) => c.model !== 'colorize' || c.channels === 3, COLORIZE_NEEDS_COLOUR),
      ['channels']
    )
  ),
  { entries: trainConfigObject.entries }
)

export type TrainConfigInput = v.InferInput<typeof trainConfigSchema>
export type TrainConfig = v.InferOutput<typeof trainConfigSchema>

/** Fills defaults and checks ranges; throws a ValiError listing every bad field. */
export const parseTrainConfig = (input: unknown): TrainConfig => v.parse(trainConfigSchema, input)
