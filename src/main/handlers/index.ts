import { jobCallNames, type JobCallName } from '../../shared/contract/index'
import type { CallJobParams } from '../jobs/call-job'
import { JobHost } from '../jobs/host'
import { JobTrainingHost } from '../jobs/training-host'
import type { Handler, Handlers } from '../rpc/dispatch'
import type { EventHub } from '../rpc/events'
import { appInfo } from '../services/app-info'
import type { Studio } from '../services/studio'
import { shellHandlers } from '../shell/handlers'
import type { HandlerContext } from './context'
import { datasetHandlers } from './datasets'
import { settingsHandlers } from './settings'
import { sweepHandlers } from './sweep'
import { trainingHandlers } from './training'
import { vectorHandlers } from './vector'
import { viewerHandlers } from './viewers'

/**
 * The contract's job calls, each run in its own job process: the handler only starts it, relays its events and
 * hands back its result (or its error, code intact).
 */
function jobCallHandlers(jobs: JobHost, events: EventHub): { [K in JobCallName]: Handler<K> } {
  const run = (name: JobCallName) => (input: unknown) =>
    jobs.start('call', { name, input } satisfies CallJobParams, events.emit).result
  // The result crossed a process boundary untyped; the job ran the very service whose type the contract names.
  return Object.fromEntries(jobCallNames.map((name) => [name, run(name)])) as {
    [K in JobCallName]: Handler<K>
  }
}

/**
 * Every contract call mapped to its service. Each line is an adapter; the logic lives in services/. One job host
 * (the caller's, so it can end every job process on quit) and one training host serve them all.
 */
export function createHandlers(
  { studio, events }: { studio: Studio; events: EventHub },
  jobs = new JobHost(studio.paths.home)
) {
  const ctx: HandlerContext = { studio, events, jobs, training: new JobTrainingHost(jobs, events.emit) }
  const handlers = {
    'app.info': () => appInfo(studio),
    ...datasetHandlers(ctx),
    ...viewerHandlers(ctx),
    ...settingsHandlers(ctx),
    ...trainingHandlers(ctx),
    ...sweepHandlers(ctx),
    ...vectorHandlers(ctx),
    ...shellHandlers(),
    ...jobCallHandlers(jobs, events)
  } satisfies Handlers
  return handlers
}
