import type * as v from 'valibot'
import type { CallSpec, EventSpec } from './define'
import { appCalls } from './app'
import { datasetCalls, datasetEvents } from './datasets'
import { exportCalls, exportEvents } from './exports'
import { insightsCalls } from './insights'
import { restoreCalls } from './restore'
import { settingsCalls, settingsEvents } from './settings'
import { shellCalls, shellEvents } from './shell'
import { sweepCalls, sweepEvents } from './sweep'
import { trainingCalls, trainingEvents } from './training'
import { vectorCalls } from './vector'

export * from './define'
export * from './app'
export * from './datasets'
export * from './exports'
export * from './insights'
export * from './restore'
export * from './settings'
export * from './shell'
export * from './sweep'
export * from './training'
export * from './vector'

/** Every call the renderer can make. Each domain declares its calls in its own file; they meet here. */
export const calls = {
  ...appCalls,
  ...datasetCalls,
  ...exportCalls,
  ...insightsCalls,
  ...restoreCalls,
  ...shellCalls,
  ...settingsCalls,
  ...trainingCalls,
  ...sweepCalls,
  ...vectorCalls
} satisfies Record<string, CallSpec>

/** Every event main can push. */
export const events = {
  ...datasetEvents,
  ...exportEvents,
  ...shellEvents,
  ...settingsEvents,
  ...trainingEvents,
  ...sweepEvents
} satisfies Record<string, EventSpec>

export type Calls = typeof calls
export type CallName = keyof Calls
export type CallInput<K extends CallName> = v.InferInput<Calls[K]['input']>
export type CallParsed<K extends CallName> = v.InferOutput<Calls[K]['input']>
export type CallOutput<K extends CallName> = Calls[K] extends CallSpec<v.GenericSchema, infer O> ? O : never

export type Events = typeof events
export type EventName = keyof Events
export type EventPayload<K extends EventName> = Events[K] extends EventSpec<infer P> ? P : never

/** The API a renderer sees, whichever transport (Electron IPC or the web socket) carries it. */
export interface StudioApi {
  invoke<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>>
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void
}

export const isCallName = (name: unknown): name is CallName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name)
