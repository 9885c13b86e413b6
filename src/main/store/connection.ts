import BetterSqlite3, { type Database } from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { latestVersion, migrations, type Migration } from './migrations/index'

/** The database was written by a newer Autoencoder Studio; opening it could corrupt the user's runs. */
export class NewerDatabaseError extends Error {
  constructor(
    readonly file: string,
    readonly found: number,
    readonly supported: number
  ) {
    super(
      `${file} was written by a newer version of Autoencoder Studio (schema ${found}; this version understands ` +
        `up to ${supported}). Update the app, or point AESTUDIO_HOME at another folder.`
    )
    this.name = 'NewerDatabaseError'
  }
}

export interface OpenOptions {
  /** Native binding to load instead of node_modules' (the Electron build of better-sqlite3). */
  nativeBinding?: string
  /** For tests: the list of migrations to apply. */
  migrations?: readonly Migration[]
}

export function openDatabase(file: string, options: OpenOptions = {}): Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const db = new BetterSqlite3(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {})
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    migrate(db, file, options.migrations ?? migrations)
    return db
  } catch (err) {
    db.close()
    throw err
  }
}

/**
 * Applies every pending migration in one transaction, so a crash leaves the old schema or the new one. When one
 * of them rebuilds a referenced table (`foreignKeysOff`), foreign keys are off while the transaction runs and
 * every reference is checked before it commits: a migration that breaks one rolls back.
 */
export function migrate(db: Database, file: string, list: readonly Migration[] = migrations): number {
  const current = db.pragma('user_version', { simple: true }) as number
  const supported = list.length ? list[list.length - 1].version : latestVersion()
  if (current > supported) throw new NewerDatabaseError(file, current, supported)
  const pending = list.filter((m) => m.version > current)
  if (pending.length === 0) return current
  const keysWereOn = db.pragma('foreign_keys', { simple: true }) === 1
  const keysOff = keysWereOn && pending.some((m) => m.foreignKeysOff)
  if (keysOff) db.pragma('foreign_keys = OFF')
  try {
    db.transaction(() => {
      for (const m of pending) {
        m.up(db)
        db.pragma(`user_version = ${m.version}`)
      }
      if (keysOff) {
        const broken = db.pragma('foreign_key_check') as { table: string; parent: string }[]
        if (broken.length > 0)
          throw new Error(
            `Upgrading ${file} would leave ${broken.length} broken reference(s) (${broken[0].table} → ` +
              `${broken[0].parent}); nothing was changed.`
          )
      }
    }).immediate()
  } finally {
    if (keysOff) db.pragma('foreign_keys = ON')
  }
  return supported
}
