import type { Api } from '../../src/renderer/src/api/index'

type Handler = (input: never) => unknown

/**
 * A stand-in for the renderer's Api: answers calls from a table of handlers, records every call, and lets a test
 * push events the way main would.
 */
export function fakeApi(handlers: Record<string, Handler> = {}, mode: Api['mode'] = 'web') {
  const calls: { name: string; input: unknown }[] = []
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const api = {
    mode,
    async invoke(name: string, input: unknown) {
      calls.push({ name, input })
      const h = handlers[name]
      if (!h) throw new Error(`no fake handler for ${name}`)
      return (h as (i: unknown) => unknown)(input)
    },
    on(name: string, listener: (p: unknown) => void) {
      const set = listeners.get(name) ?? new Set()
      listeners.set(name, set)
      set.add(listener)
      return () => void set.delete(listener)
    },
    droppedPaths: async (files: FileList | File[]) => Array.from(files).map((f) => `/uploads/${f.name}`),
    fileUrl: (path: string) => `/files/${path}`
  } as unknown as Api
  const emit = (name: string, payload: unknown) => {
    for (const l of listeners.get(name) ?? []) l(payload)
  }
  const listenerCount = (name: string) => listeners.get(name)?.size ?? 0
  return { api, calls, emit, listenerCount, handlers }
}
