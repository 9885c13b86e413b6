import type { Database } from 'better-sqlite3'
import type { Dataset, FaceSettings, Fit, FacesPerImage } from '../../../shared/contract/domain'

/** The columns named as in Dataset, then the snake_case ones. */
interface Row extends Pick<Dataset, 'id' | 'name' | 'source' | 'size' | 'channels' | 'fit'> {
  face_mode: FacesPerImage | null
  face_margin: number | null
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

export interface NewDataset extends Pick<
  Dataset,
  'name' | 'source' | 'size' | 'channels' | 'fit' | 'splitSeed' | 'valFraction'
> {
  /** Required for fit 'faces', absent otherwise (the table checks both). */
  faces?: FaceSettings | null
}

/** What makes two imports of one folder the same dataset. */
export interface DatasetKey {
  source: string
  size: number
  channels: number
  fit: Fit
  faces?: FaceSettings | null
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
  faces: r.face_mode === null ? null : { perImage: r.face_mode, margin: r.face_margin! },
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
      `INSERT INTO datasets (name, source, size, channels, fit, face_mode, face_margin, split_seed, val_fraction)
       VALUES (@name, @source, @size, @channels, @fit, @faceMode, @faceMargin, @splitSeed, @valFraction)`
    )
    this.getStmt = db.prepare<[number], Row>(`${SELECT} WHERE d.id = ?`)
    this.listStmt = db.prepare<[], Row>(`${SELECT} ORDER BY d.id DESC`)
    this.findStmt = db.prepare<[string, number, number, string, string | null, number | null], Row>(
      `${SELECT} WHERE d.source = ? AND d.size = ? AND d.channels = ? AND d.fit = ? AND d.face_mode IS ?
         AND d.face_margin IS ? ORDER BY d.id DESC LIMIT 1`
    )
    this.touchStmt = db.prepare(
      `UPDATE datasets SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`
    )
    this.deleteStmt = db.prepare('DELETE FROM datasets WHERE id = ?')
  }

  create({ faces, ...d }: NewDataset): Dataset {
    const id = Number(
      this.insertStmt.run({ ...d, faceMode: faces?.perImage ?? null, faceMargin: faces?.margin ?? null })
        .lastInsertRowid
    )
    return this.get(id)!
  }

  get(id: number): Dataset | undefined {
    const r = this.getStmt.get(id)
    return r && toDataset(r)
  }

  list(): Dataset[] {
    return this.listStmt.all().map(toDataset)
  }

  /** The dataset already cached for this folder at these preprocessing settings (face ones too), if any. */
  find({ source, size, channels, fit, faces }: DatasetKey): Dataset | undefined {
    const r = this.findStmt.get(source, size, channels, fit, faces?.perImage ?? null, faces?.margin ?? null)
    return r && toDataset(r)
  }

  touch(id: number): void {
    this.touchStmt.run(id)
  }

  delete(id: number): boolean {
    return this.deleteStmt.run(id).changes > 0
  }
}
