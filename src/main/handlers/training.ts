import type { AugmentPreviewInput, StartTraining } from '../../shared/contract/training'
import {
  controlRun,
  deleteRun,
  getRun,
  listRuns,
  markOrphans,
  resumeRun,
  runMetrics,
  runPreviews,
  startTraining
} from '../services/training'
import type { HandlerContext } from './context'

type ByRun = { runId: number }

// TensorFlow.js comes in with the first preview, not at start-up; eight small images answer here, for latency.
const preview = () => import('../services/augment-preview')

/**
 * Training and run calls. Each run trains in its own job process; its events are relayed to every window, and
 * a job that dies marks its run interrupted while the app carries on. Runs left behind by a previous session
 * whose process is gone are marked interrupted here, at start.
 */
export function trainingHandlers({ studio, training }: HandlerContext) {
  markOrphans(studio)
  return {
    'training.start': (input: StartTraining) => startTraining(studio, input, training).run,
    'training.pause': ({ runId }: ByRun) => controlRun(studio, training, runId, 'pause'),
    'training.resume': ({ runId, epochs }: ByRun & { epochs?: number }) =>
      resumeRun(studio, runId, { epochs }, training).run,
    'training.stop': ({ runId }: ByRun) => controlRun(studio, training, runId, 'stop'),
    'training.augmentPreview': async (input: AugmentPreviewInput) =>
      (await preview()).augmentPreview(studio, input),
    'runs.list': () => listRuns(studio),
    'runs.get': ({ runId }: ByRun) => getRun(studio, runId),
    'runs.metrics': ({ runId }: ByRun) => runMetrics(studio, runId),
    'runs.previews': ({ runId }: ByRun) => runPreviews(studio, runId),
    'runs.delete': ({ runId }: ByRun) => deleteRun(studio, runId)
  }
}
