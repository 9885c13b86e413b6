import type { Migration } from './migration'

/** Latent-size sweeps: one model trained at several latent sizes, each size its own run. */
export const m0002: Migration = {
  version: 2,
  name: 'sweeps',
  up: (db) =>
    db.exec(`
      CREATE TABLE sweeps (
        id          INTEGER PRIMARY KEY,
        dataset_id  INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
        config      TEXT NOT NULL,        -- JSON: the training config shared by every run (latent aside)
        latents     TEXT NOT NULL,        -- JSON: the latent sizes, in training order
        results     TEXT NOT NULL,        -- JSON: [{ latent, runId, valMse }] as runs finish
        status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'stopped', 'failed', 'interrupted')),
        error       TEXT,
        owner_pid   INTEGER,
        created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        finished_at TEXT
      );
    `)
}
