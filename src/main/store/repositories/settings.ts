import type { Database } from 'better-sqlite3'

export class SettingsRepo {
  private readonly getStmt
  private readonly setStmt
  private readonly allStmt

  constructor(db: Database) {
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
    this.setStmt = db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'
    )
    this.allStmt = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings')
  }

  get<T>(key: string, fallback: T): T {
    const row = this.getStmt.get(key)
    return row ? (JSON.parse(row.value) as T) : fallback
  }

  set(key: string, value: unknown): void {
    this.setStmt.run(key, JSON.stringify(value))
  }

  all(): Record<string, unknown> {
    return Object.fromEntries(this.allStmt.all().map((r) => [r.key, JSON.parse(r.value)]))
  }
}
