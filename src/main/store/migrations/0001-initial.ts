import type { Migration } from './migration'

export const m0001: Migration = {
  version: 1,
  name: 'initial',
  up: (db) =>
    db.exec(`
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL               -- JSON
      );

      CREATE TABLE datasets (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL,
        source       TEXT NOT NULL,       -- folder the images came from ('' for uploads)
        size         INTEGER NOT NULL CHECK (size > 0 AND size % 8 = 0),
        channels     INTEGER NOT NULL CHECK (channels IN (1, 3)),
        fit          TEXT NOT NULL CHECK (fit IN ('cover', 'contain', 'attention')),
        split_seed   INTEGER NOT NULL,
        val_fraction REAL NOT NULL CHECK (val_fraction >= 0 AND val_fraction < 1),
        created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );

      CREATE TABLE images (
        id          INTEGER PRIMARY KEY,
        dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        rel_path    TEXT NOT NULL,
        bytes       INTEGER NOT NULL,
        mtime_ms    INTEGER NOT NULL,
        sha256      TEXT,
        status      TEXT NOT NULL CHECK (status IN ('ok', 'duplicate', 'skipped')),
        reason      TEXT,                 -- why it was skipped, in plain words
        width       INTEGER,
        height      INTEGER,
        format      TEXT,
        slot        INTEGER,              -- index into the dataset's packed pixel cache
        split       TEXT CHECK (split IN ('train', 'val')),
        excluded    INTEGER NOT NULL DEFAULT 0,
        UNIQUE (dataset_id, rel_path)
      );
      CREATE INDEX images_by_hash ON images (dataset_id, sha256);

      CREATE TABLE runs (
        id             INTEGER PRIMARY KEY,
        dataset_id     INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
        status         TEXT NOT NULL CHECK (status IN
                         ('queued', 'running', 'paused', 'done', 'stopped', 'failed', 'interrupted')),
        model          TEXT NOT NULL,
        config         TEXT NOT NULL,     -- full config snapshot, JSON
        backend        TEXT,
        backend_notes  TEXT,              -- JSON: why better backends were passed over
        epochs         INTEGER NOT NULL,
        epochs_done    INTEGER NOT NULL DEFAULT 0,
        best_val_loss  REAL,
        owner_pid      INTEGER,           -- process training it, to detect a dead owner
        error          TEXT,
        created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        started_at     TEXT,
        finished_at    TEXT
      );

      CREATE TABLE metrics (
        run_id            INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch             INTEGER NOT NULL,
        loss              REAL NOT NULL,
        recon             REAL,
        kl                REAL,
        val_loss          REAL,
        images_per_second REAL,
        seconds           REAL,
        PRIMARY KEY (run_id, epoch)
      );

      CREATE TABLE checkpoints (
        id         INTEGER PRIMARY KEY,
        run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        kind       TEXT NOT NULL CHECK (kind IN ('last', 'best')),
        epoch      INTEGER NOT NULL,
        file       TEXT NOT NULL,         -- relative to the data directory
        sha256     TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        UNIQUE (run_id, kind)
      );

      CREATE TABLE previews (
        run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch   INTEGER NOT NULL,
        file    TEXT NOT NULL,            -- relative to the data directory
        PRIMARY KEY (run_id, epoch)
      );

      CREATE TABLE exports (
        id         INTEGER PRIMARY KEY,
        run_id     INTEGER REFERENCES runs(id) ON DELETE CASCADE,
        kind       TEXT NOT NULL,         -- 'gif', 'webp', 'png', 'model', ...
        file       TEXT NOT NULL,         -- absolute: exports may be written anywhere the user chose
        params     TEXT NOT NULL,         -- JSON
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );
    `)
}
