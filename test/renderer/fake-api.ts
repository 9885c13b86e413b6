import type { Api } from '../../src/renderer/src/api/index'
import type {
  CallInput,
  CallName,
  CallOutput,
  EventName,
  EventPayloads
} from '../../src/shared/contract/index'

/** A test's answers, typed by the contract: a handler that returns the wrong shape does not compile. */
export type FakeHandlers = {
  [K in CallName]?: (input: CallInput<K>) => CallOutput<K> | Promise<CallOutput<K>>
}

type Listeners = { [K in EventName]?: Set<(payload: EventPayloads[K]) => void> }

/**
 * A stand-in for the renderer's Api: answers calls from a table of handlers, records every call, and lets a test
 * push events the way main would.
 */
export function fakeApi(handlers: FakeHandlers = {}, mode: Api['mode'] = 'web') {
  const calls: { name: CallName; input: unknown }[] = []
  const listeners: Listeners = {}
  const listenersOf = <K extends EventName>(name: K): Set<(payload: EventPayloads[K]) => void> => {
    const existing: Listeners[K] = listeners[name]
    if (existing) return existing
    const created = new Set<(payload: EventPayloads[K]) => void>()
    listeners[name] = created as Listeners[K]
    return created
  }
  const api: Api = {
    mode,
    async invoke<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>> {
      calls.push({ name, input })
      const h = handlers[name]
      if (!h) throw new Error(`no fake handler for ${name}`)
      return h(input)
    },
    on<K extends EventName>(name: K, listener: (payload: EventPayloads[K]) => void) {
      const set = listenersOf(name)
      set.add(listener)
      return () => void set.delete(listener)
    },
    droppedPaths: async (files: FileList | File[]) => Array.from(files).map((f) => `/uploads/${f.name}`),
    fileUrl: (path: string) => `/files/${path}`
  }
  const emit = <K extends EventName>(name: K, payload: EventPayloads[K]) => {
    for (const l of listenersOf(name)) l(payload)
  }
  const listenerCount = (name: EventName) => listeners[name]?.size ?? 0
  return { api, calls, emit, listenerCount, handlers }
}
