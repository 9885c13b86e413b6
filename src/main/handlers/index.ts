import type { Handlers } from '../rpc/dispatch'
import type { EventHub } from '../rpc/events'
import { appInfo } from '../services/app-info'
import type { Studio } from '../services/studio'

export interface HandlerContext {
  studio: Studio
  events: EventHub
}

/** Every contract call mapped to its service. Each line is an adapter; the logic lives in services/. */
export function createHandlers({ studio }: HandlerContext): Handlers {
  return {
    'app.info': () => appInfo(studio)
  }
}
