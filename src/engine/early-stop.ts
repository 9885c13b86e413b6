/** Early stopping: a pure decision on the validation scores seen so far, with a JSON state for checkpoints. */

export interface EarlyStopState {
  /** Best score so far (lower is better), null before the first epoch. */
  best: number | null
  /** The epoch that scored it (0 before the first epoch). */
  bestEpoch: number
}

export const earlyStopStart = (): EarlyStopState => ({ best: null, bestEpoch: 0 })

/**
 * Records epoch `epoch`'s score and says whether to stop: when `patience` epochs have passed since the best one
 * (a strict improvement, as the best checkpoint is chosen). Patience 0 never stops.
 */
export function earlyStopStep(
  state: EarlyStopState,
  epoch: number,
  score: number,
  patience: number
): { state: EarlyStopState; stop: boolean } {
  const next = state.best === null || score < state.best ? { best: score, bestEpoch: epoch } : state
  return { state: next, stop: patience > 0 && epoch - next.bestEpoch >= patience }
}
