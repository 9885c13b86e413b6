/**
 * Learning-rate schedules as pure functions of the step and a small JSON state, so a checkpoint can save the
 * state and a resumed run continues the same schedule.
 */
import type { LrSchedule } from '../shared/train-options'

/** Reduce-on-plateau's counters: the rate now, the best score so far, and epochs since it last improved. */
export interface PlateauState {
  lr: number
  best: number | null
  bad: number
}

/** A score must beat the best by this fraction to count as progress (PyTorch's default threshold). */
export const PLATEAU_THRESHOLD = 1e-4

/**
 * Cosine decay with linear warm-up, per batch: steps 0 … warmup − 1 rise to `base` ((step + 1) / warmup of it),
 * then lr = minLr + (base − minLr)·(1 + cos(π·p))/2 with p = (step − warmup) / (total − warmup), so it starts
 * at `base` and would reach `minLr` one step after the last.
 */
export function cosineLr(
  base: number,
  minLr: number,
  warmupSteps: number,
  totalSteps: number,
  step: number
): number {
  if (step < warmupSteps) return (base * (step + 1)) / warmupSteps
  const span = Math.max(1, totalSteps - warmupSteps)
  const p = Math.min(1, (step - warmupSteps) / span)
  return minLr + ((base - minLr) * (1 + Math.cos(Math.PI * p))) / 2
}

export const plateauStart = (lr: number): PlateauState => ({ lr, best: null, bad: 0 })

/**
 * One epoch of reduce-on-plateau: a score below best·(1 − 10⁻⁴) resets the count; otherwise, after `patience`
 * epochs in a row without progress, the rate is multiplied by `factor` (not below `minLr`) and the count restarts.
 */
export function plateauStep(
  state: PlateauState,
  score: number,
  o: { factor: number; patience: number; minLr: number }
): PlateauState {
  if (state.best === null || score < state.best - Math.abs(state.best) * PLATEAU_THRESHOLD)
    return { lr: state.lr, best: score, bad: 0 }
  const bad = state.bad + 1
  if (bad < o.patience) return { ...state, bad }
  return { lr: Math.max(state.lr * o.factor, o.minLr), best: state.best, bad: 0 }
}

/**
 * The rate for batch `batch` (0-based) of epoch `epoch` (1-based) of `epochs`, `batches` per epoch. Plateau's
 * rate comes from its state (updated once per epoch by plateauStep).
 */
export function learningRateAt(
  schedule: LrSchedule,
  base: number,
  plateau: PlateauState | undefined,
  at: { epoch: number; epochs: number; batch: number; batches: number }
): number {
  if (schedule.kind === 'constant') return base
  if (schedule.kind === 'plateau') return plateau?.lr ?? base
  const step = (at.epoch - 1) * at.batches + at.batch
  return cosineLr(base, schedule.minLr, schedule.warmup * at.batches, at.epochs * at.batches, step)
}
