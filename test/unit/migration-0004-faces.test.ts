import type { Database } from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { migrate, openDatabase } from '../../src/main/store/connection'
import { m0001 } from '../../src/main/store/migrations/0001-initial'
import { m0002 } from '../../src/main/store/migrations/0002-sweeps'
import { m0003 } from '../../src/main/store/migrations/0003-learning-rate'
import { m0004 } from '../../src/main/store/migrations/0004-faces'
import { migrations, type Migration } from '../../src/main/store/migrations/index'

/** A version-3 database holding a dataset with images, a run and a sweep that point at it. */
function atVersion3(): Database {
  const db = openDatabase(':memory:', { migrations: [m0001, m0002, m0003] })
  db.exec(`
    INSERT INTO datasets (id, name, source, size, channels, fit, split_seed, val_fraction)
      VALUES (1, 'portraits', '/photos', 64, 3, 'attention', 7, 0.1);
    INSERT INTO images (dataset_id, rel_path, bytes, mtime_ms, sha256, status, slot, split)
      VALUES (1, 'a.jpg', 10, 1, 'aa', 'ok', 0, 'train'), (1, 'b.jpg', 20, 2, 'bb', 'ok', 1, 'val');
    INSERT INTO runs (id, dataset_id, status, model, config, epochs) VALUES (5, 1, 'done', 'conv', '{}', 3);
    INSERT INTO sweeps (dataset_id, config, latents, results, status) VALUES (1, '{}', '[8]', '[]', 'done');
  `)
  return db
}

const face = (imageId: number) => ({
  imageId,
  source: 'group.jpg',
  index: 1
})

const insertFace = (db: Database, f: ReturnType<typeof face>) =>
  db
    .prepare(
      `INSERT INTO image_faces (image_id, source_path, face_index, box_x, box_y, box_w, box_h, left_eye_x,
         left_eye_y, right_eye_x, right_eye_y, roll, score, neutral, happy, sad, angry, fearful, disgusted,
         surprised)
       VALUES (?, ?, ?, 10, 20, 100, 120, 40, 60, 80, 62, 1.4, 0.98, 0.1, 0.85, 0.01, 0.01, 0.01, 0.01, 0.01)`
    )
    .run(f.imageId, f.source, f.index)

describe('migration 0004 (faces)', () => {
  it('keeps every dataset, image, run and sweep, and their links', () => {
    const db = atVersion3()
    migrate(db, ':memory:', [m0001, m0002, m0003, m0004])
    expect(db.pragma('user_version', { simple: true })).toBe(4)
    expect(
      db.prepare('SELECT id, name, fit, face_mode, face_margin, split_seed FROM datasets').all()
    ).toEqual([
      { id: 1, name: 'portraits', fit: 'attention', face_mode: null, face_margin: null, split_seed: 7 }
    ])
    expect(
      db.prepare('SELECT rel_path FROM images WHERE dataset_id = 1 ORDER BY slot').pluck().all()
    ).toEqual(['a.jpg', 'b.jpg'])
    expect(db.prepare('SELECT dataset_id FROM runs WHERE id = 5').pluck().get()).toBe(1)
    expect(db.prepare('SELECT count(*) FROM sweeps WHERE dataset_id = 1').pluck().get()).toBe(1)
    // Foreign keys are back on and point at the rebuilt table.
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(() =>
      db
        .prepare(
          `INSERT INTO images (dataset_id, rel_path, bytes, mtime_ms, status) VALUES (9, 'x', 1, 1, 'ok')`
        )
        .run()
    ).toThrow('FOREIGN KEY constraint failed')
  })

  it('admits face datasets only with their settings, and face rows only for real images', () => {
    const db = atVersion3()
    migrate(db, ':memory:', [m0001, m0002, m0003, m0004])
    const add = db.prepare(
      `INSERT INTO datasets (name, source, size, channels, fit, face_mode, face_margin, split_seed, val_fraction)
       VALUES ('f', '/photos', 64, 3, ?, ?, ?, 1, 0.1)`
    )
    const id = Number(add.run('faces', 'all', 1).lastInsertRowid)
    expect(() => add.run('faces', null, null)).toThrow('CHECK constraint failed')
    expect(() => add.run('cover', 'all', 1)).toThrow('CHECK constraint failed')
    expect(() => add.run('faces', 'some', 1)).toThrow('CHECK constraint failed')
    expect(() => add.run('faces', 'all', 4)).toThrow('CHECK constraint failed')
    const img = Number(
      db
        .prepare(
          `INSERT INTO images (dataset_id, rel_path, bytes, mtime_ms, sha256, status, slot, split)
           VALUES (?, 'group.jpg#1', 5, 5, 'cc-f1', 'ok', 0, 'train')`
        )
        .run(id).lastInsertRowid
    )
    insertFace(db, face(img))
    expect(() => insertFace(db, face(999))).toThrow('FOREIGN KEY constraint failed')
    // Deleting the dataset takes its images and their face rows with it.
    db.prepare('DELETE FROM datasets WHERE id = ?').run(id)
    expect(db.prepare('SELECT count(*) FROM image_faces').pluck().get()).toBe(0)
  })

  it('needs the runner to turn foreign keys off: with them on, rebuilding datasets would drop every image', () => {
    const db = atVersion3()
    migrate(db, ':memory:', [m0001, m0002, m0003, { ...m0004, foreignKeysOff: false }])
    expect(db.prepare('SELECT count(*) FROM images').pluck().get()).toBe(0)
  })

  it('rolls back a foreign-keys-off migration that leaves a broken reference, and turns the keys back on', () => {
    const db = atVersion3()
    const breaks: Migration = {
      version: 4,
      name: 'breaks',
      foreignKeysOff: true,
      up: (d) => d.exec('DELETE FROM datasets')
    }
    // Its 2 images, its run and its sweep would point nowhere.
    expect(() => migrate(db, 'studio.db', [m0001, m0002, m0003, breaks])).toThrow(
      'Upgrading studio.db would leave 4 broken reference(s) (sweeps → datasets); nothing was changed.'
    )
    expect(db.pragma('user_version', { simple: true })).toBe(3)
    expect(db.prepare('SELECT count(*) FROM datasets').pluck().get()).toBe(1)
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
  })

  it('is registered: the app opens databases at version 4', () => {
    expect(migrations.map((m) => m.version)).toEqual([1, 2, 3, 4])
    expect(openDatabase(':memory:').pragma('user_version', { simple: true })).toBe(4)
  })
})
