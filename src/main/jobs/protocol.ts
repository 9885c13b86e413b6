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
  { type: 'start'; kind: JobKind; home: string; params: unknown } | { type: 'control'; action: JobAction }

export type FromJob =
  | ({ type: 'event' } & EventMessage)
  | { type: 'done'; result: unknown }
  | { type: 'failed'; error: { message: string; code?: string } }
