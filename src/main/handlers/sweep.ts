import type { EventName, EventPayload } from '../../shared/contract/index'
import type { SweepExportInput, SweepGridInput, SweepStartInput } from '../../shared/contract/sweep'
import { JobHost } from '../jobs/host'
import { JobTrainingHost } from '../services/training'
import type { HandlerContext } from './index'

// TensorFlow.js comes in with the first sweep call (it measures each run's error), not at start-up.
const service = () => import('../services/sweep')

type BySweep = { sweepId: number }

/**
 * Latent-size sweeps. Each run of a sweep trains in its own job process, one after another; main only awaits
 * them and measures each finished model's validation error. Run events go out as training.* like any run's.
 */
export function sweepHandlers({ studio, events }: HandlerContext, jobs = new JobHost(studio.paths.home)) {
  const emit = (name: string, payload: unknown) =>
    events.emit(name as EventName, payload as EventPayload<EventName>)
  const host = new JobTrainingHost(jobs, emit)
  return {
    'sweep.start': async (input: SweepStartInput) =>
      (await service()).startSweep(studio, input, host, emit).sweep,
    'sweep.get': async ({ sweepId }: BySweep) => (await service()).getSweep(studio, sweepId),
    'sweep.list': async () => (await service()).listSweeps(studio),
    'sweep.stop': async ({ sweepId }: BySweep) => (await service()).stopSweep(studio, sweepId),
    'sweep.grid': async (input: SweepGridInput) => (await service()).sweepGrid(studio, input),
    'sweep.export': async (input: SweepExportInput) => (await service()).sweepExport(studio, input)
  }
}
