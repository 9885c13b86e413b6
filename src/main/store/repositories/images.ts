import type { Database } from 'better-sqlite3'

export type ImageStatus = 'ok' | 'duplicate' | 'skipped'
export type Split = 'train' | 'val'

/** One file of a dataset's folder as last imported: an image (with its cache slot), a duplicate or a skip. */
export interface ImageRow {
  id: number
  datasetId: number
  relPath: string
  bytes: number
  mtimeMs: number
  sha256: string | null
  status: ImageStatus
  reason: string | null
  width: number | null
  height: number | null
  format: string | null
  slot: number | null
  split: Split | null
  excluded: boolean
}

export type NewImage = Omit<ImageRow, 'id' | 'datasetId' | 'excluded'>

const COLUMNS = `id, dataset_id AS datasetId, rel_path AS relPath, bytes, mtime_ms AS mtimeMs, sha256, status,
  reason, width, height, format, slot, split, excluded`

type Raw = Omit<ImageRow, 'excluded'> & { excluded: number }
const toRow = (r: Raw): ImageRow => ({ ...r, excluded: r.excluded !== 0 })

/** The files of each dataset. Replacing a dataset's rows is meant to run inside the caller's transaction. */
export class ImagesRepo {
  private readonly allStmt
  private readonly okStmt
  private readonly pageStmt
  private readonly countStmt
  private readonly skippedStmt
  private readonly getStmt
  private readonly excludeStmt
  private readonly upsertStmt
  private readonly pathsStmt
  private readonly deletePathStmt

  constructor(db: Database) {
    this.allStmt = db.prepare<[number], Raw>(
      `SELECT ${COLUMNS} FROM images WHERE dataset_id = ? ORDER BY rel_path`
    )
    this.okStmt = db.prepare<[number], Raw>(
      `SELECT ${COLUMNS} FROM images WHERE dataset_id = ? AND status = 'ok' ORDER BY slot`
    )
    this.pageStmt = db.prepare<[number, number, number], Raw>(
      `SELECT ${COLUMNS} FROM images WHERE dataset_id = ? AND status = 'ok' ORDER BY slot LIMIT ? OFFSET ?`
    )
    this.countStmt = db.prepare<[number], { n: number }>(
      `SELECT count(*) AS n FROM images WHERE dataset_id = ? AND status = 'ok'`
    )
    this.skippedStmt = db.prepare<[number], { file: string; reason: string }>(
      `SELECT rel_path AS file, coalesce(reason, '') AS reason FROM images
       WHERE dataset_id = ? AND status = 'skipped' ORDER BY rel_path`
    )
    this.getStmt = db.prepare<[number], Raw>(`SELECT ${COLUMNS} FROM images WHERE id = ?`)
    this.excludeStmt = db.prepare(`UPDATE images SET excluded = ? WHERE id = ? AND status = 'ok'`)
    // Upserting by path keeps image ids (and the user's exclusions) stable across re-imports.
    this.upsertStmt = db.prepare(
      `INSERT INTO images (dataset_id, rel_path, bytes, mtime_ms, sha256, status, reason, width, height, format,
         slot, split)
       VALUES (@datasetId, @relPath, @bytes, @mtimeMs, @sha256, @status, @reason, @width, @height, @format,
         @slot, @split)
       ON CONFLICT (dataset_id, rel_path) DO UPDATE SET bytes = excluded.bytes, mtime_ms = excluded.mtime_ms,
         sha256 = excluded.sha256, status = excluded.status, reason = excluded.reason, width = excluded.width,
         height = excluded.height, format = excluded.format, slot = excluded.slot, split = excluded.split`
    )
    this.pathsStmt = db.prepare<[number], { id: number; relPath: string }>(
      'SELECT id, rel_path AS relPath FROM images WHERE dataset_id = ?'
    )
    this.deletePathStmt = db.prepare('DELETE FROM images WHERE id = ?')
  }

  /** Every row of a dataset, by path. */
  all(datasetId: number): ImageRow[] {
    return this.allStmt.all(datasetId).map(toRow)
  }

  /** The dataset's images (status ok, excluded or not) in cache-slot order. */
  images(datasetId: number): ImageRow[] {
    return this.okStmt.all(datasetId).map(toRow)
  }

  page(datasetId: number, offset: number, limit: number): { rows: ImageRow[]; total: number } {
    return {
      rows: this.pageStmt.all(datasetId, limit, offset).map(toRow),
      total: this.countStmt.get(datasetId)!.n
    }
  }

  skipped(datasetId: number): { file: string; reason: string }[] {
    return this.skippedStmt.all(datasetId)
  }

  get(id: number): ImageRow | undefined {
    const r = this.getStmt.get(id)
    return r && toRow(r)
  }

  /** Sets an image's excluded flag; false when there is no such image. */
  setExcluded(id: number, excluded: boolean): boolean {
    return this.excludeStmt.run(excluded ? 1 : 0, id).changes > 0
  }

  /**
   * Makes the dataset's rows exactly `rows`: updates files already known (keeping id and exclusion), adds new
   * ones, drops the rest. Call inside a transaction so readers see the old set or the new one.
   */
  replaceAll(datasetId: number, rows: NewImage[]): void {
    const keep = new Set(rows.map((r) => r.relPath))
    for (const old of this.pathsStmt.all(datasetId))
      if (!keep.has(old.relPath)) this.deletePathStmt.run(old.id)
    for (const r of rows) this.upsertStmt.run({ ...r, datasetId })
  }
}
