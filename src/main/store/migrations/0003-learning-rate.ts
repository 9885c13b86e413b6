import type { Migration } from './migration'

/** Learning-rate schedules and early stopping: each epoch's rate, and the epoch a run stopped early at. */
export const m0003: Migration = {
  version: 3,
  name: 'learning-rate',
  up: (db) =>
    db.exec(`
      ALTER TABLE metrics ADD COLUMN lr REAL;                 -- the learning rate at the epoch's last batch
      ALTER TABLE runs ADD COLUMN stopped_early_at INTEGER;   -- early stopping: validation stopped improving
    `)
}
