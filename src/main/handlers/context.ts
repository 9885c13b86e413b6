import type { EventHub } from '../rpc/events'
import type { JobHost } from '../jobs/host'
import type { Studio } from '../services/studio'
import type { TrainingHost } from '../services/training'

/** What every handler group is given: made once, where the handlers are assembled. */
export interface HandlerContext {
  studio: Studio
  events: EventHub
  /** The one job host: imports, training runs and the contract's job calls all start their processes here. */
  jobs: JobHost
  /** The one training host: every run — started, resumed or part of a sweep — trains and is controlled here. */
  training: TrainingHost
}
