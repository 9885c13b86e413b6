import type * as v from 'valibot'
import type { CallSpec, EventSpec } from './define'
import { appCalls } from './app'
import { datasetCalls, datasetEvents } from './datasets'
import { viewerCalls, viewerEvents } from './viewers'
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
export * from './viewers'
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
  ...viewerCalls,
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
  ...viewerEvents,
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

/** The calls that run in a job process (declared with `jobCall`). */
export type JobCallName = { [K in CallName]: Calls[K] extends { job: true } ? K : never }[CallName]
export const jobCallNames = (Object.keys(calls) as CallName[]).filter(
  (name): name is JobCallName => 'job' in calls[name]
)

export type Events = typeof events
export type EventName = keyof Events
export type EventPayload<K extends EventName> = Events[K] extends EventSpec<infer P> ? P : never

/** Every event's payload type by name (a mapped type, so a generic name indexes it soundly). */
export type EventPayloads = { [K in EventName]: EventPayload<K> }

/** Pushes one event; typed from the contract, so a payload that drifts from its event does not compile. */
export type Emit = <K extends EventName>(name: K, payload: EventPayloads[K]) => void

/** An event as it crosses a process boundary (job process → owner): its name beside its payload. */
export interface EventMessage<K extends EventName = EventName> {
  name: K
  payload: EventPayloads[K]
}

/** Passes an event that arrived as a message on to `emit`, keeping name and payload paired. */
export const relayEvent = <K extends EventName>(emit: Emit, message: EventMessage<K>): void =>
  emit(message.name, message.payload)

/** The API a renderer sees, whichever transport (Electron IPC or the web socket) carries it. */
export interface StudioApi {
  invoke<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>>
  on<K extends EventName>(name: K, listener: (payload: EventPayloads[K]) => void): () => void
}

export const isCallName = (name: unknown): name is CallName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name)
