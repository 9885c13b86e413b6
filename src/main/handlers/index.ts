import type { Handlers } from '../rpc/dispatch'
import type { EventHub } from '../rpc/events'
import { appInfo } from '../services/app-info'
import type { Studio } from '../services/studio'
import { datasetHandlers } from './datasets'
import { exportHandlers } from './exports'
import { insightsHandlers } from './insights'
import { restoreHandlers } from './restore'
import { shellHandlers } from '../shell/handlers'
import { settingsHandlers } from './settings'
import { sweepHandlers } from './sweep'
import { trainingHandlers } from './training'
import { vectorHandlers } from './vector'

export interface HandlerContext {
  studio: Studio
  events: EventHub
}

/** Every contract call mapped to its service. Each line is an adapter; the logic lives in services/. */
export function createHandlers(ctx: HandlerContext): Handlers {
  const { studio } = ctx
  return {
    'app.info': () => appInfo(studio),
    ...datasetHandlers(ctx),
    ...exportHandlers(ctx),
    ...insightsHandlers(ctx),
    ...restoreHandlers(ctx),
    ...settingsHandlers(ctx),
    ...trainingHandlers(ctx),
    ...sweepHandlers(ctx),
    ...vectorHandlers(ctx),
    ...shellHandlers()
  }
}
