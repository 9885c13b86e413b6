import type { Emit, EventName, EventPayloads } from '../../shared/contract/index'

export type EventListener = Emit

/** Fans pushed events out to every transport (Electron windows, web-mode sockets). */
export class EventHub {
  private readonly listeners = new Set<EventListener>()

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** An Emit (a bound arrow, so it can be handed on as `hub.emit`). */
  readonly emit: Emit = <K extends EventName>(name: K, payload: EventPayloads[K]): void => {
    for (const l of this.listeners) l(name, payload)
  }
}
