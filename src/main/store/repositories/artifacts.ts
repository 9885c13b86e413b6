import type { Database } from 'better-sqlite3'
import type { Checkpoint, ExportRecord } from '../../../shared/contract/domain'

/** Files a run leaves behind: checkpoints (last and best), per-epoch preview grids, and user exports. */
export class ArtifactsRepo {
  private readonly putCheckpoint
  private readonly getCheckpoint
  private readonly putPreview
  private readonly listPreviews
  private readonly insertExport
  private readonly listExportsStmt

  constructor(db: Database) {
    this.putCheckpoint = db.prepare(
      `INSERT INTO checkpoints (run_id, kind, epoch, file, sha256) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (run_id, kind) DO UPDATE SET epoch = excluded.epoch, file = excluded.file,
         sha256 = excluded.sha256, created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`
    )
    this.getCheckpoint = db.prepare<[number, string], Checkpoint>(
      `SELECT run_id AS runId, kind, epoch, file, sha256, created_at AS createdAt
       FROM checkpoints WHERE run_id = ? AND kind = ?`
    )
    this.putPreview = db.prepare('INSERT OR REPLACE INTO previews (run_id, epoch, file) VALUES (?, ?, ?)')
    this.listPreviews = db.prepare<[number], { epoch: number; file: string }>(
      'SELECT epoch, file FROM previews WHERE run_id = ? ORDER BY epoch'
    )
    this.insertExport = db.prepare('INSERT INTO exports (run_id, kind, file, params) VALUES (?, ?, ?, ?)')
    this.listExportsStmt = db.prepare<[number], Omit<ExportRecord, 'params'> & { params: string }>(
      `SELECT id, run_id AS runId, kind, file, params, created_at AS createdAt
       FROM exports WHERE run_id = ? ORDER BY id DESC`
    )
  }

  setCheckpoint(runId: number, kind: Checkpoint['kind'], epoch: number, file: string, sha256: string): void {
    this.putCheckpoint.run(runId, kind, epoch, file, sha256)
  }

  checkpoint(runId: number, kind: Checkpoint['kind']): Checkpoint | undefined {
    return this.getCheckpoint.get(runId, kind)
  }

  addPreview(runId: number, epoch: number, file: string): void {
    this.putPreview.run(runId, epoch, file)
  }

  previews(runId: number): { epoch: number; file: string }[] {
    return this.listPreviews.all(runId)
  }

  addExport(runId: number | null, kind: string, file: string, params: Record<string, unknown>): number {
    return Number(this.insertExport.run(runId, kind, file, JSON.stringify(params)).lastInsertRowid)
  }

  exports(runId: number): ExportRecord[] {
    return this.listExportsStmt.all(runId).map((r) => ({ ...r, params: JSON.parse(r.params) }))
  }
}
