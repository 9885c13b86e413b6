import type { StartTraining } from '../../shared/contract/training'
import type { EventName, EventPayload } from '../../shared/contract/index'
import { JobHost } from '../jobs/host'
import {
  controlRun,
  deleteRun,
  evalRun,
  getRun,
  JobTrainingHost,
  listRuns,
  markOrphans,
  resumeRun,
  runMetrics,
  runPreviews,
  startTraining
} from '../services/training'
import type { HandlerContext } from './index'

type ByRun = { runId: number }

/**
 * Training and run calls. Each run trains in its own job process; its events are relayed to every window, and
 * a job that dies marks its run interrupted while the app carries on. Runs left behind by a previous session
 * whose process is gone are marked interrupted here, at start.
 */
export function trainingHandlers({ studio, events }: HandlerContext, jobs = new JobHost(studio.paths.home)) {
  markOrphans(studio)
  const host = new JobTrainingHost(jobs, (name, payload) =>
    events.emit(name as EventName, payload as EventPayload<EventName>)
  )
  return {
    'training.start': (input: StartTraining) => startTraining(studio, input, host).run,
    'training.pause': ({ runId }: ByRun) => controlRun(studio, host, runId, 'pause'),
    'training.resume': ({ runId, epochs }: ByRun & { epochs?: number }) =>
      resumeRun(studio, runId, { epochs }, host).run,
    'training.stop': ({ runId }: ByRun) => controlRun(studio, host, runId, 'stop'),
    'runs.list': () => listRuns(studio),
    'runs.get': ({ runId }: ByRun) => getRun(studio, runId),
    'runs.metrics': ({ runId }: ByRun) => runMetrics(studio, runId),
    'runs.previews': ({ runId }: ByRun) => runPreviews(studio, runId),
    'runs.delete': ({ runId }: ByRun) => deleteRun(studio, runId),
    'runs.eval': ({ runId, folder }: ByRun & { folder: string }) => evalRun(studio, runId, folder)
  }
}
