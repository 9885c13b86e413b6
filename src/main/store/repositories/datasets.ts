import type { Database } from 'better-sqlite3'
import type { Dataset, Fit } from '../../../shared/contract/domain'

interface Row {
  id: number
  name: string
  source: string
  size: number
  channels: 1 | 3
  fit: Fit
  split_seed: number
  val_fraction: number
  created_at: string
  updated_at: string
  image_count: number
  train_count: number
  val_count: number
  skipped_count: number
  duplicate_count: number
}

export interface NewDataset {
  name: string
  source: string
  size: number
  channels: 1 | 3
  fit: Fit
  splitSeed: number
  valFraction: number
}

const SELECT = `
  SELECT d.*,
    (SELECT count(*) FROM images i WHERE i.dataset_id = d.id AND i.status = 'ok' AND i.excluded = 0) AS image_count,
    (SELECT count(*) FROM images i WHERE i.dataset_id = d.id AND i.status = 'ok' AND i.excluded = 0
        AND i.split = 'train') AS train_count,
    (SELECT count(*) FROM images i WHERE i.dataset_id = d.id AND i.status = 'ok' AND i.excluded = 0
        AND i.split = 'val') AS val_count,
    (SELECT count(*) FROM images i WHERE i.dataset_id = d.id AND i.status = 'skipped') AS skipped_count,
    (SELECT count(*) FROM images i WHERE i.dataset_id = d.id AND i.status = 'duplicate') AS duplicate_count
  FROM datasets d`

const toDataset = (r: Row): Dataset => ({
  id: r.id,
  name: r.name,
  source: r.source,
  size: r.size,
  channels: r.channels,
  fit: r.fit,
  splitSeed: r.split_seed,
  valFraction: r.val_fraction,
  imageCount: r.image_count,
  trainCount: r.train_count,
  valCount: r.val_count,
  skippedCount: r.skipped_count,
  duplicateCount: r.duplicate_count,
  createdAt: r.created_at,
  updatedAt: r.updated_at
})

export class DatasetsRepo {
  private readonly insertStmt
  private readonly getStmt
  private readonly listStmt
  private readonly findStmt
  private readonly touchStmt
  private readonly deleteStmt

  constructor(db: Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO datasets (name, source, size, channels, fit, split_seed, val_fraction)
       VALUES (@name, @source, @size, @channels, @fit, @splitSeed, @valFraction)`
    )
    this.getStmt = db.prepare<[number], Row>(`${SELECT} WHERE d.id = ?`)
    this.listStmt = db.prepare<[], Row>(`${SELECT} ORDER BY d.id DESC`)
    this.findStmt = db.prepare<[string, number, number, string], Row>(
      `${SELECT} WHERE d.source = ? AND d.size = ? AND d.channels = ? AND d.fit = ? ORDER BY d.id DESC LIMIT 1`
    )
    this.touchStmt = db.prepare(
      `UPDATE datasets SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`
    )
    this.deleteStmt = db.prepare('DELETE FROM datasets WHERE id = ?')
  }

  create(d: NewDataset): Dataset {
    const id = Number(this.insertStmt.run(d).lastInsertRowid)
    return this.get(id)!
  }

  get(id: number): Dataset | undefined {
    const r = this.getStmt.get(id)
    return r && toDataset(r)
  }

  list(): Dataset[] {
    return this.listStmt.all().map(toDataset)
  }

  /** The dataset already cached for this folder at these preprocessing settings, if any. */
  find(source: string, size: number, channels: number, fit: Fit): Dataset | undefined {
    const r = this.findStmt.get(source, size, channels, fit)
    return r && toDataset(r)
  }

  touch(id: number): void {
    this.touchStmt.run(id)
  }

  delete(id: number): boolean {
    return this.deleteStmt.run(id).changes > 0
  }
}
