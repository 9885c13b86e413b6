import type { EpochMetrics } from '../../../shared/contract/domain'
import type { LossSeries } from '../components/chart-types'

/**
 * The lines of a loss chart from per-epoch metrics: training and validation, plus reconstruction and KL when the
 * run reports KL (VAEs), and the learning rate on its own axis when the epochs carry it (runs from before
 * schedules do not). Arrays are appended to in place by the training store, so the chart only copies the tail.
 */
export interface SeriesBuffers {
  train: { x: number; y: number }[]
  val: { x: number; y: number }[]
  recon: { x: number; y: number }[]
  kl: { x: number; y: number }[]
  lr: { x: number; y: number }[]
}

export const emptyBuffers = (): SeriesBuffers => ({ train: [], val: [], recon: [], kl: [], lr: [] })

export function appendMetrics(b: SeriesBuffers, m: EpochMetrics): void {
  // A resumed or replayed epoch replaces nothing: points must stay sorted by epoch for decimation.
  const last = b.train.at(-1)
  if (last && m.epoch <= last.x) return
  b.train.push({ x: m.epoch, y: m.loss })
  if (m.valLoss != null) b.val.push({ x: m.epoch, y: m.valLoss })
  if (m.lr != null) b.lr.push({ x: m.epoch, y: m.lr })
  if (m.kl != null) {
    if (m.recon != null) b.recon.push({ x: m.epoch, y: m.recon })
    b.kl.push({ x: m.epoch, y: m.kl })
  }
}

export function seriesOf(b: SeriesBuffers, prefix = ''): LossSeries[] {
  const out: LossSeries[] = [
    { label: `${prefix}training`, points: b.train, color: '--chart-1' },
    { label: `${prefix}validation`, points: b.val, color: '--chart-2', dashed: true }
  ]
  if (b.kl.length > 0) {
    out.push({ label: `${prefix}reconstruction`, points: b.recon, color: '--chart-3' })
    out.push({ label: `${prefix}KL`, points: b.kl, color: '--chart-4' })
  }
  if (b.lr.length > 0)
    out.push({ label: `${prefix}learning rate`, points: b.lr, color: '--muted', axis: 'lr', thin: true })
  return out
}
