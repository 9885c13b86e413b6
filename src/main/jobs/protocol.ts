/**
 * Messages between the process that owns the UI (Electron main, the web server) and a job process (trainer,
 * importer). Plain JSON-able objects, so the same protocol runs over Electron's utilityProcess port and Node's
 * child_process IPC.
 */
export type JobKind = 'import' | 'train' | 'export'
export type JobAction = 'pause' | 'resume' | 'stop'

export type ToJob =
  { type: 'start'; kind: JobKind; home: string; params: unknown } | { type: 'control'; action: JobAction }

export type FromJob =
  | { type: 'event'; name: string; payload: unknown }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; error: { message: string; code?: string } }
