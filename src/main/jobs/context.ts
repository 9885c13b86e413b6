import type { Studio } from '../services/studio'
import type { JobControl } from './control'
import type { JobKind } from './protocol'

/** What a job function gets, wherever it runs (a job process, or in-process for the CLI and tests). */
export interface JobContext {
  studio: Studio
  control: JobControl
  /** Pushes an event (named as in the contract) to whoever started the job. */
  emit(name: string, payload: unknown): void
}

export type JobFn = (params: unknown, ctx: JobContext) => Promise<unknown>

/**
 * The job kinds, loaded lazily so an import job never loads TensorFlow and a training job never loads the
 * importer. Each domain registers its job function here.
 */
export const jobKinds: Record<JobKind, () => Promise<JobFn>> = {
  import: async () => (await import('./import-job')).importJob,
  train: async () => (await import('./train-job')).trainJob,
  export: async () => (await import('./export-job')).exportJob
}
