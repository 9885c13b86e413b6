import type { Migration } from './migration'

/**
 * Face-aware import. A dataset's `fit` may be 'faces', with how faces were taken beside it; each face image
 * (named `<file>#<n>`) has a row in image_faces: where the face is in the source photo (upright pixels, for
 * the Datasets screen to draw) and the expression model's seven scores (for picking vector-arithmetic sets).
 *
 * SQLite cannot change a CHECK constraint in place, so `datasets` is rebuilt (the documented 12-step way).
 * That needs foreign keys OFF while it runs: with them on, DROP TABLE datasets would first delete every
 * dataset and cascade to its images, runs' links and sweeps'. `foreignKeysOff` asks the runner for that.
 */
export const m0004: Migration = {
  version: 4,
  name: 'faces',
  foreignKeysOff: true,
  up: (db) =>
    db.exec(`
      CREATE TABLE datasets_new (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL,
        source       TEXT NOT NULL,
        size         INTEGER NOT NULL CHECK (size > 0 AND size % 8 = 0),
        channels     INTEGER NOT NULL CHECK (channels IN (1, 3)),
        fit          TEXT NOT NULL CHECK (fit IN ('cover', 'contain', 'attention', 'faces')),
        face_mode    TEXT CHECK (face_mode IN ('largest', 'all')),
        face_margin  REAL CHECK (face_margin >= 0.5 AND face_margin <= 3),
        split_seed   INTEGER NOT NULL,
        val_fraction REAL NOT NULL CHECK (val_fraction >= 0 AND val_fraction < 1),
        created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        -- The face settings belong to face datasets, and to them only.
        CHECK ((fit = 'faces') = (face_mode IS NOT NULL AND face_margin IS NOT NULL)),
        CHECK (fit = 'faces' OR (face_mode IS NULL AND face_margin IS NULL))
      );
      INSERT INTO datasets_new (id, name, source, size, channels, fit, split_seed, val_fraction, created_at,
          updated_at)
        SELECT id, name, source, size, channels, fit, split_seed, val_fraction, created_at, updated_at
        FROM datasets;
      DROP TABLE datasets;
      ALTER TABLE datasets_new RENAME TO datasets;

      CREATE TABLE image_faces (
        image_id    INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
        source_path TEXT NOT NULL,        -- the photo, '/'-separated; images.rel_path is '<source_path>#<n>'
        face_index  INTEGER NOT NULL CHECK (face_index >= 1),
        box_x       REAL NOT NULL,        -- the detector's box in the upright photo's pixels
        box_y       REAL NOT NULL,
        box_w       REAL NOT NULL CHECK (box_w > 0),
        box_h       REAL NOT NULL CHECK (box_h > 0),
        left_eye_x  REAL NOT NULL,        -- eye centres, same pixels; 'left' is nearer the photo's left edge
        left_eye_y  REAL NOT NULL,
        right_eye_x REAL NOT NULL,
        right_eye_y REAL NOT NULL,
        roll        REAL NOT NULL,        -- degrees the face was turned in the photo
        score       REAL NOT NULL CHECK (score >= 0 AND score <= 1),
        -- face_expression_model's scores (softmax: they sum to 1)
        neutral     REAL NOT NULL CHECK (neutral BETWEEN 0 AND 1),
        happy       REAL NOT NULL CHECK (happy BETWEEN 0 AND 1),
        sad         REAL NOT NULL CHECK (sad BETWEEN 0 AND 1),
        angry       REAL NOT NULL CHECK (angry BETWEEN 0 AND 1),
        fearful     REAL NOT NULL CHECK (fearful BETWEEN 0 AND 1),
        disgusted   REAL NOT NULL CHECK (disgusted BETWEEN 0 AND 1),
        surprised   REAL NOT NULL CHECK (surprised BETWEEN 0 AND 1)
      );
      CREATE INDEX image_faces_by_source ON image_faces (source_path);
    `)
}
