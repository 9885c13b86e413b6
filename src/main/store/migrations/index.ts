import type { Database } from 'better-sqlite3'
import { m0001 } from './0001-initial'
import { m0002 } from './0002-sweeps'

export interface Migration {
  /** Becomes `user_version` once applied; strictly increasing from 1 with no gaps. */
  version: number
  name: string
  up(db: Database): void
}

/** Append new migrations here; never edit one that has shipped. */
export const migrations: readonly Migration[] = [m0001, m0002]

export const latestVersion = (): number => migrations[migrations.length - 1]?.version ?? 0
