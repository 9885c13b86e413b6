import type { EventName, EventPayload } from '../../shared/contract/index'

export type EventListener = <K extends EventName>(name: K, payload: EventPayload<K>) => void

/** Fans pushed events out to every transport (Electron windows, web-mode sockets). */
export class EventHub {
  private readonly listeners = new Set<EventListener>()

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    for (const l of this.listeners) l(name, payload)
  }
}
