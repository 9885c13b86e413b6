/** Records the renderer sees. Plain data, camelCase, the same shapes the CLI prints with --json. */
import type { TrainConfig } from '../config'

export type Fit = 'cover' | 'contain' | 'attention'

export interface Dataset {
  id: number
  name: string
  source: string
  size: number
  channels: 1 | 3
  fit: Fit
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
