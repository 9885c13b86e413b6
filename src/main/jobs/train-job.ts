import { runTraining, type TrainParams } from '../services/training-run'
import type { JobFn } from './job-context'

/**
 * The `train` job: params are TrainParams. If the owning process goes away (its IPC channel closes), the run
 * stops cleanly at the next batch instead of training on unseen.
 */
export const trainJob: JobFn = (params, ctx) => {
  const orphaned = () => ctx.control.apply('stop')
  process.once('disconnect', orphaned)
  return runTraining(ctx.studio, params as TrainParams, ctx).finally(() =>
    process.off('disconnect', orphaned)
  )
}
