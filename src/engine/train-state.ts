/**
 * What a training run carries from epoch to epoch besides weights, optimizer and RNG: the schedule's and early
 * stopping's counters. Plain JSON, saved in every checkpoint, so a resumed run continues them.
 */
import type { TrainConfig } from '../shared/config'
import { earlyStopStart, type EarlyStopState } from './early-stop'
import { plateauStart, type PlateauState } from './schedule'

export interface TrainState {
  /** The rate of the last batch trained (the base rate before any). */
  lr: number
  /** Reduce-on-plateau's counters; absent for the other schedules. */
  plateau?: PlateauState
  earlyStop: EarlyStopState
}

export const initialTrainState = (config: TrainConfig): TrainState => ({
  lr: config.lr,
  ...(config.lrSchedule.kind === 'plateau' ? { plateau: plateauStart(config.lr) } : {}),
  earlyStop: earlyStopStart()
})

const isScore = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v))
const isCount = (v: unknown) => Number.isInteger(v) && (v as number) >= 0
const isRate = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0

/**
 * A checkpoint's saved state, checked; a checkpoint written before these existed (undefined) starts fresh,
 * which is exactly what its run did (constant rate, no early stopping).
 */
export function parseTrainState(saved: unknown, config: TrainConfig): TrainState {
  if (saved === undefined) return initialTrainState(config)
  const s = saved as Partial<TrainState>
  const ok =
    typeof s === 'object' &&
    s !== null &&
    isRate(s.lr) &&
    typeof s.earlyStop === 'object' &&
    s.earlyStop !== null &&
    isScore(s.earlyStop.best) &&
    isCount(s.earlyStop.bestEpoch) &&
    (s.plateau === undefined || (isRate(s.plateau.lr) && isScore(s.plateau.best) && isCount(s.plateau.bad)))
  if (!ok) throw new Error('Invalid schedule state in checkpoint.')
  const state: TrainState = { lr: s.lr!, earlyStop: { ...s.earlyStop! } }
  if (config.lrSchedule.kind === 'plateau')
    state.plateau = s.plateau ? { ...s.plateau } : plateauStart(config.lr)
  return state
}
