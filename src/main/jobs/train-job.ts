import { runTraining, type TrainParams } from '../services/training-run'
import { electronGpuWorker } from './gpu-port'
import type { JobFn } from './job-context'

// Inside the app, webgpu trains in the GPU worker page; under plain Node this is undefined (dawn.node here).
const gpuWorker = electronGpuWorker()

/**
 * The `train` job: params are TrainParams. If the owning process goes away (its IPC channel closes), the run
 * stops cleanly at the next batch instead of training on unseen.
 */
export const trainJob: JobFn = (params, ctx) => {
  const orphaned = () => ctx.control.apply('stop')
  process.once('disconnect', orphaned)
  return runTraining(ctx.studio, params as TrainParams, ctx, { gpuWorker }).finally(() =>
    process.off('disconnect', orphaned)
  )
}
