import type { Database } from 'better-sqlite3'

/** One schema step. Each lives in its own numbered file; index.ts lists them in order. */
export interface Migration {
  /** Becomes `user_version` once applied; strictly increasing from 1 with no gaps. */
  version: number
  name: string
  up(db: Database): void
  /**
   * Rebuilds a table others reference (SQLite's way to change a CHECK or a column): the runner turns foreign
   * keys off around the transaction (with them on, DROP TABLE would cascade and delete the rows pointing at
   * it) and runs `foreign_key_check` before committing. The pragma does nothing inside a transaction, so a
   * migration cannot do this itself.
   */
  foreignKeysOff?: boolean
}
