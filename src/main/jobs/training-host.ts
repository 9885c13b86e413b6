import type { JobAction } from '../../shared/control'
import type { Emit } from '../../shared/contract/index'
import type { Run } from '../../shared/contract/domain'
import { settleRun, type TrainingHost } from '../services/training'
import type { TrainParams } from '../services/training-run'
import type { Studio } from '../services/studio'
import { JobCrashedError, type JobHandle, type JobHost } from './host'

/** Trains each run in its own job process; events are relayed as they come. One per app, for every run. */
export class JobTrainingHost implements TrainingHost {
  private readonly running = new Map<number, JobHandle>()

  constructor(
    private readonly jobs: JobHost,
    private readonly emit: Emit
  ) {}

  launch(studio: Studio, runId: number, resume: boolean): Promise<Run> {
    const params: TrainParams = { runId, resume }
    const job = this.jobs.start('train', params, this.emit)
    this.running.set(runId, job)
    const queued = studio.store.runs.get(runId)
    if (queued)
      this.emit('training.status', {
        runId,
        status: queued.status,
        epochsDone: queued.epochsDone,
        error: null
      })
    // Forget the job before announcing how it ended, so a listener may resume the run at once.
    const end = (err: unknown) => {
      this.running.delete(runId)
      return settleRun(studio, runId, err, this.emit, err instanceof JobCrashedError)
    }
    const finished = job.result.then(() => end(null), end)
    // Nobody may be waiting (the app fires and forgets); a store closed at shutdown must not crash the process.
    finished.catch(() => {})
    return finished
  }

  control(runId: number, action: JobAction): boolean {
    const job = this.running.get(runId)
    job?.control(action)
    return job !== undefined
  }

  isActive(runId: number): boolean {
    return this.running.has(runId)
  }
}
