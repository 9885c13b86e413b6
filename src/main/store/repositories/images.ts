import type { Database } from 'better-sqlite3'
import type { ImageFace } from '../../../shared/contract/datasets'
import { EXPRESSIONS, type ExpressionScores } from '../../../shared/contract/domain'

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

/** A face image's face: where it is in its photo, and its expression scores (image_faces). */
export interface StoredFace extends ImageFace {
  /** Eye centres in the photo's upright pixels ('left' nearer the photo's left edge). */
  eyes: { left: { x: number; y: number }; right: { x: number; y: number } }
  /** The detector's score. */
  score: number
}

export type NewImage = Omit<ImageRow, 'id' | 'datasetId' | 'excluded'> & { face?: StoredFace }

interface FaceRaw {
  imageId: number
  source: string
  faceIndex: number
  boxX: number
  boxY: number
  boxW: number
  boxH: number
  leftX: number
  leftY: number
  rightX: number
  rightY: number
  roll: number
  score: number
  neutral: number
  happy: number
  sad: number
  angry: number
  fearful: number
  disgusted: number
  surprised: number
}

const FACE_COLUMNS = `f.image_id AS imageId, f.source_path AS source, f.face_index AS faceIndex, f.box_x AS boxX,
  f.box_y AS boxY, f.box_w AS boxW, f.box_h AS boxH, f.left_eye_x AS leftX, f.left_eye_y AS leftY,
  f.right_eye_x AS rightX, f.right_eye_y AS rightY, f.roll, f.score, ${EXPRESSIONS.map((e) => `f.${e}`).join(', ')}`

const toFace = (r: FaceRaw): StoredFace => ({
  source: r.source,
  index: r.faceIndex,
  box: { x: r.boxX, y: r.boxY, width: r.boxW, height: r.boxH },
  eyes: { left: { x: r.leftX, y: r.leftY }, right: { x: r.rightX, y: r.rightY } },
  roll: r.roll,
  score: r.score,
  expressions: Object.fromEntries(EXPRESSIONS.map((e) => [e, r[e]])) as ExpressionScores
})

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
  private readonly upsertFaceStmt
  private readonly deleteFaceStmt
  private readonly facesStmt
  private readonly photoFacesStmt

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
         height = excluded.height, format = excluded.format, slot = excluded.slot, split = excluded.split
       RETURNING id`
    )
    this.upsertFaceStmt = db.prepare(
      `INSERT INTO image_faces (image_id, source_path, face_index, box_x, box_y, box_w, box_h, left_eye_x,
         left_eye_y, right_eye_x, right_eye_y, roll, score, ${EXPRESSIONS.join(', ')})
       VALUES (@imageId, @source, @faceIndex, @boxX, @boxY, @boxW, @boxH, @leftX, @leftY, @rightX, @rightY,
         @roll, @score, ${EXPRESSIONS.map((e) => `@${e}`).join(', ')})
       ON CONFLICT (image_id) DO UPDATE SET source_path = excluded.source_path, face_index = excluded.face_index,
         box_x = excluded.box_x, box_y = excluded.box_y, box_w = excluded.box_w, box_h = excluded.box_h,
         left_eye_x = excluded.left_eye_x, left_eye_y = excluded.left_eye_y, right_eye_x = excluded.right_eye_x,
         right_eye_y = excluded.right_eye_y, roll = excluded.roll, score = excluded.score,
         ${EXPRESSIONS.map((e) => `${e} = excluded.${e}`).join(', ')}`
    )
    this.deleteFaceStmt = db.prepare('DELETE FROM image_faces WHERE image_id = ?')
    this.facesStmt = db.prepare<[number], FaceRaw>(
      `SELECT ${FACE_COLUMNS} FROM image_faces f JOIN images i ON i.id = f.image_id WHERE i.dataset_id = ?`
    )
    this.photoFacesStmt = db.prepare<[number, string], FaceRaw>(
      `SELECT ${FACE_COLUMNS} FROM image_faces f JOIN images i ON i.id = f.image_id
       WHERE i.dataset_id = ? AND f.source_path = ? AND i.status = 'ok' ORDER BY f.face_index`
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
    for (const { face, ...r } of rows) {
      const { id } = this.upsertStmt.get({ ...r, datasetId }) as { id: number }
      if (face) this.upsertFaceStmt.run(faceParams(id, face))
      else this.deleteFaceStmt.run(id)
    }
  }

  /** The faces of a face dataset's rows (images and duplicates), by image id. */
  faces(datasetId: number): Map<number, StoredFace> {
    return new Map(this.facesStmt.all(datasetId).map((r) => [r.imageId, toFace(r)]))
  }

  /** The images a dataset took from one photo, in face order. */
  photoFaces(datasetId: number, source: string): { imageId: number; face: StoredFace }[] {
    return this.photoFacesStmt.all(datasetId, source).map((r) => ({ imageId: r.imageId, face: toFace(r) }))
  }
}

const faceParams = (imageId: number, f: StoredFace): FaceRaw => ({
  imageId,
  source: f.source,
  faceIndex: f.index,
  boxX: f.box.x,
  boxY: f.box.y,
  boxW: f.box.width,
  boxH: f.box.height,
  leftX: f.eyes.left.x,
  leftY: f.eyes.left.y,
  rightX: f.eyes.right.x,
  rightY: f.eyes.right.y,
  roll: f.roll,
  score: f.score,
  ...f.expressions
})
