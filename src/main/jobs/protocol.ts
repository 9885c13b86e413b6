/**
 * Messages between the process that owns the UI (Electron main, the web server) and a job process (trainer,
 * importer, the heavy calls). Plain JSON-able objects, so the same protocol runs over Electron's utilityProcess
 * port and Node's child_process IPC.
 */
import type { JobAction } from '../../shared/control'
import type { EventMessage } from '../../shared/contract/index'

/** `call` runs one contract call marked `job` in the contract (see services/job-calls.ts). */
export type JobKind = 'import' | 'train' | 'call'

export type ToJob =
  | { type: 'start'; kind: JobKind; home: string; params: unknown }
  | { type: 'control'; action: JobAction }
  /** The app's answer to `gpu-port-request`: the GPU worker port comes with it (Electron only). */
  | { type: 'gpu-port' }
  | { type: 'gpu-port-refused'; message: string }
  /** The GPU worker page went away (crashed, closed) while this job held a port to it. */
  | { type: 'gpu-gone'; reason: string }

export type FromJob =
  | ({ type: 'event' } & EventMessage)
  | { type: 'done'; result: unknown }
  | { type: 'failed'; error: { message: string; code?: string } }
  /** A training job on webgpu inside the app asks for a port to the GPU worker page. */
  | { type: 'gpu-port-request' }
