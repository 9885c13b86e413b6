import type { Database } from 'better-sqlite3'

/** One schema step. Each lives in its own numbered file; index.ts lists them in order. */
export interface Migration {
  /** Becomes `user_version` once applied; strictly increasing from 1 with no gaps. */
  version: number
  name: string
  up(db: Database): void
}
