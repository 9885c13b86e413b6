import type { Database } from 'better-sqlite3'
import type { TrainConfig } from '../../../shared/config'
import type { Sweep, SweepResult, SweepStatus } from '../../../shared/contract/sweep'

interface SweepRow {
  id: number
  dataset_id: number | null
  config: string
  latents: string
  results: string
  status: SweepStatus
  error: string | null
  owner_pid: number | null
  created_at: string
  finished_at: string | null
}

const toSweep = (r: SweepRow): Sweep => ({
  id: r.id,
  datasetId: r.dataset_id,
  config: JSON.parse(r.config) as TrainConfig,
  latents: JSON.parse(r.latents) as number[],
  results: JSON.parse(r.results) as SweepResult[],
  status: r.status,
  error: r.error,
  createdAt: r.created_at,
  finishedAt: r.finished_at
})

export class SweepsRepo {
  private readonly insertStmt
  private readonly getStmt
  private readonly listStmt
  private readonly resultsStmt
  private readonly finishStmt
  private readonly orphansStmt

  constructor(db: Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO sweeps (dataset_id, config, latents, results, status, owner_pid) VALUES (?, ?, ?, '[]', 'running', ?)`
    )
    this.getStmt = db.prepare<[number], SweepRow>('SELECT * FROM sweeps WHERE id = ?')
    this.listStmt = db.prepare<[], SweepRow>('SELECT * FROM sweeps ORDER BY id DESC')
    this.resultsStmt = db.prepare('UPDATE sweeps SET results = ? WHERE id = ?')
    this.finishStmt = db.prepare(
      `UPDATE sweeps SET status = ?, error = ?, owner_pid = NULL,
         finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`
    )
    this.orphansStmt = db.prepare<[], { id: number; owner_pid: number }>(
      `SELECT id, owner_pid FROM sweeps WHERE status = 'running' AND owner_pid IS NOT NULL`
    )
  }

  create(datasetId: number, config: TrainConfig, latents: readonly number[], pid = process.pid): Sweep {
    const id = Number(
      this.insertStmt.run(datasetId, JSON.stringify(config), JSON.stringify(latents), pid).lastInsertRowid
    )
    return this.get(id)!
  }

  get(id: number): Sweep | undefined {
    const row = this.getStmt.get(id)
    return row && toSweep(row)
  }

  list(): Sweep[] {
    return this.listStmt.all().map(toSweep)
  }

  setResults(id: number, results: readonly SweepResult[]): void {
    this.resultsStmt.run(JSON.stringify(results), id)
  }

  finish(id: number, status: Exclude<SweepStatus, 'running'>, error: string | null = null): void {
    this.finishStmt.run(status, error, id)
  }

  /** Marks sweeps whose owning process is gone as interrupted; returns their ids. */
  markOrphansInterrupted(isAlive: (pid: number) => boolean): number[] {
    const dead = this.orphansStmt.all().filter((r) => !isAlive(r.owner_pid))
    for (const r of dead)
      this.finish(r.id, 'interrupted', 'The process running the sweep ended before it finished.')
    return dead.map((r) => r.id)
  }
}
