/** Records the renderer sees. Plain data, camelCase, the same shapes the CLI prints with --json. */
import type { TrainConfig } from '../config'

export type Fit = 'cover' | 'contain' | 'attention' | 'faces'

/** The seven expressions the face import scores every face on, in the expression model's output order. */
export const EXPRESSIONS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const
export type Expression = (typeof EXPRESSIONS)[number]
/** Each between 0 and 1; the seven sum to 1. */
export type ExpressionScores = Record<Expression, number>

/** `largest`: one image per photo, of its largest face; `all`: one per face, left to right. */
export type FacesPerImage = 'largest' | 'all'

/** How a face dataset's images were cut from the photos. */
export interface FaceSettings {
  perImage: FacesPerImage
  /** 1 puts the eyes 35 % and 65 % across and 40 % down; larger shows more around the face. */
  margin: number
}

/** A rectangle in a photo's upright pixels. */
export interface FaceBox {
  x: number
  y: number
  width: number
  height: number
}

export interface Dataset {
  id: number
  name: string
  source: string
  size: number
  channels: 1 | 3
  fit: Fit
  /** Set for fit 'faces' only. */
  faces: FaceSettings | null
  splitSeed: number
  valFraction: number
  imageCount: number
  trainCount: number
  valCount: number
  skippedCount: number
  duplicateCount: number
  createdAt: string
  updatedAt: string
}

export type RunStatus = 'queued' | 'running' | 'paused' | 'done' | 'stopped' | 'failed' | 'interrupted'

export interface Run {
  id: number
  datasetId: number | null
  status: RunStatus
  model: TrainConfig['model']
  config: TrainConfig
  backend: string | null
  backendNotes: string[]
  epochs: number
  epochsDone: number
  bestValLoss: number | null
  error: string | null
  /** Early stopping ended the run after this epoch (validation had stopped improving); null otherwise. */
  stoppedEarlyAt: number | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
}

export interface EpochMetrics {
  epoch: number
  loss: number
  recon: number | null
  kl: number | null
  valLoss: number | null
  imagesPerSecond: number | null
  seconds: number | null
  /** The learning rate at the epoch's last batch (schedules change it); null for runs from before schedules. */
  lr: number | null
}

export interface Checkpoint {
  runId: number
  kind: 'last' | 'best'
  epoch: number
  file: string
  sha256: string
  createdAt: string
}

export interface ExportRecord {
  id: number
  runId: number | null
  kind: string
  file: string
  params: Record<string, unknown>
  createdAt: string
}
