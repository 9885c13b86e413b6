/**
 * Complete, contract-typed records for the renderer tests. Each factory returns what main would really send, so a
 * change to a contract type breaks here (once) instead of slipping past partial literals; a test overrides only
 * the fields its assertions are about.
 */
import type { Keyframe, KeyframeSource } from '../../src/renderer/src/stores/morph'
import { parseTrainConfig, type TrainConfig, type TrainConfigInput } from '../../src/shared/config'
import type {
  AppInfo,
  DatasetImage,
  ImageFace,
  ImportResult,
  MorphExportResult,
  MorphFrame,
  RestoredImage,
  RestoreResult,
  SampleSet,
  Settings,
  Sweep,
  SweepExportResult,
  SweepGrid,
  VectorExportResult,
  VectorFrame
} from '../../src/shared/contract/index'
import type { Dataset, EpochMetrics, Run } from '../../src/shared/contract/domain'

const CREATED = '2026-01-01T00:00:00Z'
const STARTED = '2026-01-01T00:00:01Z'
const FINISHED = '2026-01-01T00:01:00Z'

/** A training config as main stores it: the schema's own defaults filled in, conv unless told otherwise. */
export const trainConfig = (overrides: Partial<TrainConfig> = {}): TrainConfig =>
  parseTrainConfig({ model: 'conv', ...overrides } satisfies TrainConfigInput)

/** A finished two-epoch conv run on dataset 1; `model` and `epochs` agree with its config unless one is given. */
export function run(overrides: Partial<Run> = {}): Run {
  const model = overrides.model ?? overrides.config?.model ?? 'conv'
  const epochs = overrides.epochs ?? overrides.config?.epochs ?? 2
  return {
    id: 1,
    datasetId: 1,
    status: 'done',
    model,
    config: overrides.config ?? trainConfig({ model, epochs }),
    backend: 'wasm',
    backendNotes: [],
    epochs,
    epochsDone: epochs,
    bestValLoss: 0.01,
    error: null,
    stoppedEarlyAt: null,
    createdAt: CREATED,
    startedAt: STARTED,
    finishedAt: FINISHED,
    ...overrides
  }
}

/** One epoch's row of runs.metrics. */
export const epochMetrics = (overrides: Partial<EpochMetrics> = {}): EpochMetrics => ({
  epoch: 1,
  loss: 0.5,
  recon: null,
  kl: null,
  valLoss: 0.6,
  imagesPerSecond: 30,
  seconds: 1,
  lr: 0.001,
  ...overrides
})

/** An imported colour dataset; the split counts follow `imageCount` and `valFraction`. */
export function dataset(overrides: Partial<Dataset> = {}): Dataset {
  const imageCount = overrides.imageCount ?? 100
  const valFraction = overrides.valFraction ?? 0.1
  const valCount = Math.round(imageCount * valFraction)
  return {
    id: 1,
    name: 'faces',
    source: '/photos/faces',
    size: 32,
    channels: 3,
    fit: 'cover',
    faces: null,
    splitSeed: 1,
    valFraction,
    imageCount,
    trainCount: imageCount - valCount,
    valCount,
    skippedCount: 0,
    duplicateCount: 0,
    createdAt: CREATED,
    updatedAt: CREATED,
    ...overrides
  }
}

export const datasetImage = (overrides: Partial<DatasetImage> = {}): DatasetImage => ({
  id: 1,
  relPath: 'img0.png',
  split: 'train',
  excluded: false,
  thumb: 'datasets/1/thumbs/0.webp',
  ...overrides
})

/** A face image's face: a neutral face near the photo's top left. */
export const faceOf = (overrides: Partial<ImageFace> = {}): ImageFace => ({
  source: 'group.jpg',
  index: 1,
  box: { x: 10, y: 20, width: 80, height: 90 },
  roll: 0,
  expressions: {
    neutral: 0.9,
    happy: 0.04,
    sad: 0.02,
    angry: 0.01,
    fearful: 0.01,
    disgusted: 0.01,
    surprised: 0.01
  },
  ...overrides
})

/** What datasets.import answers; `decoded` follows `imported` (a first import decodes every file). */
export function importResult(overrides: Partial<ImportResult> = {}): ImportResult {
  const imported = overrides.imported ?? 100
  return {
    datasetId: 1,
    imported,
    duplicates: 0,
    skipped: [],
    size: 32,
    channels: 3,
    decoded: imported,
    removed: 0,
    ...overrides
  }
}

export const sampleSet = (overrides: Partial<SampleSet> = {}): SampleSet => ({
  path: '/app/resources/samples',
  name: 'Fashion-MNIST',
  count: 300,
  description: 'Small greyscale photos of clothing, shoes and bags.',
  license: 'MIT',
  ...overrides
})

export const settings = (overrides: Partial<Settings> = {}): Settings => ({
  latent: 32,
  size: 64,
  backend: 'auto',
  threads: 0,
  theme: 'system',
  dataDir: '/data',
  dataDirHint: 'Set AESTUDIO_HOME to move the data directory.',
  ...overrides
})

export const appInfo = (overrides: Partial<AppInfo> = {}): AppInfo => ({
  name: 'Autoencoder Studio',
  version: '0.1.0',
  dataDir: '/data',
  database: '/data/studio.sqlite',
  schemaVersion: 1,
  platform: 'linux',
  node: '20.11.0',
  electron: null,
  backends: [{ name: 'cpu', available: true, detail: 'plain JavaScript' }],
  ...overrides
})

export const morphFrame = (overrides: Partial<MorphFrame> = {}): MorphFrame => ({
  dataUrl: 'data:image/png;base64,AAA',
  width: 64,
  height: 64,
  t: 0,
  ...overrides
})

export const morphExport = (overrides: Partial<MorphExportResult> = {}): MorphExportResult => ({
  exportId: 1,
  file: '/data/exports/morph.gif',
  format: 'gif',
  frames: 24,
  width: 256,
  height: 256,
  delay: 80,
  loop: 0,
  seconds: 1.92,
  ...overrides
})

export const restoredImage = (overrides: Partial<RestoredImage> = {}): RestoredImage => ({
  image: 1,
  name: 'image 1',
  input: 'data:image/png;base64,IN',
  output: 'data:image/png;base64,OUT',
  ...overrides
})

/** A colourisation of one image, returned as data URLs (no folder given, so no files). */
export const restoreResult = (overrides: Partial<RestoreResult> = {}): RestoreResult => ({
  runId: 1,
  kind: 'colorize',
  size: 16,
  images: [restoredImage()],
  files: [],
  ...overrides
})

/** A running sweep over latents 2, 4 and 8 with nothing finished yet. */
export const sweep = (overrides: Partial<Sweep> = {}): Sweep => ({
  id: 5,
  datasetId: 1,
  config: trainConfig(),
  latents: [2, 4, 8],
  results: [],
  status: 'running',
  error: null,
  createdAt: CREATED,
  finishedAt: null,
  ...overrides
})

export const sweepGrid = (overrides: Partial<SweepGrid> = {}): SweepGrid => ({
  rows: ['original', 'latent 2'],
  columns: 8,
  cell: 64,
  width: 8 * 64,
  height: 2 * 64,
  dataUrl: 'data:image/png;base64,GRID',
  ...overrides
})

/** A written sweep animation, one frame per latent size. */
export function sweepExport(overrides: Partial<SweepExportResult> = {}): SweepExportResult {
  const latents = overrides.latents ?? [2, 4, 8]
  return {
    file: '/data/exports/sweep.gif',
    format: 'gif',
    frames: latents.length,
    latents,
    width: 512,
    height: 128,
    delay: 600,
    ...overrides
  }
}

export const vectorFrame = (overrides: Partial<VectorFrame> = {}): VectorFrame => ({
  dataUrl: 'data:image/png;base64,VEC',
  width: 64,
  height: 64,
  strength: 0,
  ...overrides
})

/** A written vector animation: `frames` strengths evenly from 0 to 1. */
export function vectorExport(overrides: Partial<VectorExportResult> = {}): VectorExportResult {
  const frames = overrides.frames ?? 12
  return {
    exportId: 1,
    file: '/data/exports/vector.gif',
    format: 'gif',
    frames,
    width: 256,
    height: 256,
    delay: 80,
    dimensions: 2,
    norm: 0.5,
    strengths: Array.from({ length: frames }, (_, i) => i / (frames - 1)),
    ...overrides
  }
}

/** A picked image (dataset id or file path) as the morph, vector and restore stores hold it. */
export const keyframe = (source: KeyframeSource, label = String(source)): Keyframe => ({
  source,
  label,
  url: null
})
