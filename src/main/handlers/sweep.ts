import type { SweepGridInput, SweepStartInput } from '../../shared/contract/sweep'
import type { HandlerContext } from './context'

// TensorFlow.js comes in with the first sweep call (it measures each run's error), not at start-up.
const service = () => import('../services/sweep')

type BySweep = { sweepId: number }

/**
 * Latent-size sweeps. Each run of a sweep trains through the one training host, one after another, so Pause and
 * Stop on a sweep's run work like on any run; main only awaits them and measures each finished model.
 */
export const sweepHandlers = ({ studio, events, training }: HandlerContext) => ({
  'sweep.start': async (input: SweepStartInput) =>
    (await service()).startSweep(studio, input, training, events.emit).sweep,
  'sweep.get': async ({ sweepId }: BySweep) => (await service()).getSweep(studio, sweepId),
  'sweep.list': async () => (await service()).listSweeps(studio),
  'sweep.stop': async ({ sweepId }: BySweep) => (await service()).stopSweep(studio, sweepId),
  'sweep.grid': async (input: SweepGridInput) => (await service()).sweepGrid(studio, input)
})
