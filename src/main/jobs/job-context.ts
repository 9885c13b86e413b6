import type { JobControl } from '../../shared/control'
import type { Emit } from '../../shared/contract/index'
import type { Studio } from '../services/studio'

/** What a job function gets in its job process. */
export interface JobContext {
  studio: Studio
  control: JobControl
  /** Pushes an event (named as in the contract) to whoever started the job. */
  emit: Emit
}

export type JobFn = (params: unknown, ctx: JobContext) => Promise<unknown>
