// Each migration tested with data (Signal-Desktop's migration_N_test style): a database as an older version of
// the app left it, holding rows, is opened by this version and every row reads back intact through the
// repositories.
import BetterSqlite3 from 'better-sqlite3'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { migrate, Store } from '../../src/main/store/index'
import { latestVersion, migrations } from '../../src/main/store/migrations/index'
import { parseTrainConfig } from '../../src/shared/config'
import { tempDir } from '../helpers/tmp'

const CONFIG = {
  model: 'conv',
  upsample: 'transpose',
  latent: 16,
  size: 32,
  channels: 1,
  loss: 'mse',
  epochs: 10,
  batch: 32,
  lr: 0.001,
  beta: 1,
  noise: { kind: 'gaussian', amount: 0.2 },
  lambda: 0.001,
  clipNorm: 0,
  seed: 1,
  backend: 'auto'
}

let open: Store | undefined
afterEach(() => open?.close())

/** A database at schema `version`, made by applying exactly the migrations an older app had. */
function databaseAt(version: number) {
  const file = join(tempDir(), 'studio.db')
  const db = new BetterSqlite3(file)
  db.pragma('foreign_keys = ON')
  migrate(
    db,
    file,
    migrations.filter((m) => m.version <= version)
  )
  expect(db.pragma('user_version', { simple: true })).toBe(version)
  return { file, db }
}

/** Rows a schema-1 app wrote: a dataset with images of every status, a finished run with metrics, checkpoints,
 *  previews and an export, and a setting. */
function seedSchema1(db: BetterSqlite3.Database) {
  db.prepare(
    `INSERT INTO datasets (id, name, source, size, channels, fit, split_seed, val_fraction, created_at, updated_at)
     VALUES (1, 'faces', '/home/me/faces', 32, 1, 'cover', 7, 0.2, '2026-01-02T03:04:05.000Z', '2026-01-02T03:04:06.000Z')`
  ).run()
  const image = db.prepare(
    `INSERT INTO images (dataset_id, rel_path, bytes, mtime_ms, sha256, status, reason, width, height, format, slot,
       split, excluded) VALUES (1, ?, ?, 1700000000000, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  image.run('a.jpg', 1234, 'aa'.repeat(32), 'ok', null, 640, 480, 'jpeg', 0, 'train', 0)
  image.run('b.png', 2345, 'bb'.repeat(32), 'ok', null, 100, 100, 'png', 1, 'val', 1)
  image.run(
    'c.jpg',
    1234,
    'aa'.repeat(32),
    'duplicate',
    'same bytes as a.jpg',
    640,
    480,
    'jpeg',
    null,
    null,
    0
  )
  image.run('d.txt', 10, null, 'skipped', 'not an image', null, null, null, null, null, 0)
  db.prepare(
    `INSERT INTO runs (id, dataset_id, status, model, config, backend, backend_notes, epochs, epochs_done,
       best_val_loss, owner_pid, error, created_at, started_at, finished_at)
     VALUES (1, 1, 'done', 'conv', ?, 'wasm', ?, 10, 10, 0.0123, NULL, NULL, '2026-01-03T00:00:00.000Z',
       '2026-01-03T00:00:01.000Z', '2026-01-03T00:05:00.000Z')`
  ).run(JSON.stringify(CONFIG), JSON.stringify(['tensorflow passed over: not installed']))
  const metric = db.prepare(
    `INSERT INTO metrics (run_id, epoch, loss, recon, kl, val_loss, images_per_second, seconds)
     VALUES (1, ?, ?, ?, NULL, ?, 150.5, 2.5)`
  )
  for (let e = 1; e <= 10; e++) metric.run(e, 0.1 / e, 0.1 / e, 0.12 / e)
  db.prepare(
    `INSERT INTO checkpoints (run_id, kind, epoch, file, sha256) VALUES (1, 'last', 10, 'runs/1/checkpoints/epoch-0010.ckpt', ?),
       (1, 'best', 9, 'runs/1/checkpoints/epoch-0009.ckpt', ?)`
  ).run('cc'.repeat(32), 'dd'.repeat(32))
  db.prepare(
    `INSERT INTO previews (run_id, epoch, file) VALUES (1, 1, 'runs/1/previews/epoch-0001.png')`
  ).run()
  db.prepare(
    `INSERT INTO exports (run_id, kind, file, params) VALUES (1, 'gif', '/home/me/morph.gif', '{"frames":30}')`
  ).run()
  db.prepare(`INSERT INTO settings (key, value) VALUES ('settings.latent', '16')`).run()
}

/** What the seeded rows must read back as, at any later schema. */
function expectSchema1Rows(store: Store) {
  expect(store.datasets.get(1)).toMatchObject({
    id: 1,
    name: 'faces',
    source: '/home/me/faces',
    size: 32,
    channels: 1,
    fit: 'cover',
    // Schema 4: datasets from before face imports have no face settings, their images no faces.
    faces: null,
    splitSeed: 7,
    valFraction: 0.2,
    // Usable images: b.png is excluded by the user.
    imageCount: 1
  })
  expect(store.images.faces(1).size).toBe(0)
  const images = store.images.all(1)
  expect(images.map((i) => [i.relPath, i.status, i.slot, i.split, i.reason])).toEqual([
    ['a.jpg', 'ok', 0, 'train', null],
    ['b.png', 'ok', 1, 'val', null],
    ['c.jpg', 'duplicate', null, null, 'same bytes as a.jpg'],
    ['d.txt', 'skipped', null, null, 'not an image']
  ])
  expect(images[1]).toMatchObject({
    bytes: 2345,
    width: 100,
    height: 100,
    format: 'png',
    sha256: 'bb'.repeat(32)
  })
  const run = store.runs.get(1)!
  expect(run).toMatchObject({
    status: 'done',
    model: 'conv',
    backend: 'wasm',
    backendNotes: ['tensorflow passed over: not installed'],
    epochs: 10,
    epochsDone: 10,
    bestValLoss: 0.0123,
    finishedAt: '2026-01-03T00:05:00.000Z'
  })
  expect(run.config).toMatchObject(CONFIG)
  const metrics = store.runs.metrics(1)
  expect(metrics).toHaveLength(10)
  expect(metrics[9]).toMatchObject({
    epoch: 10,
    loss: 0.01,
    valLoss: 0.012,
    imagesPerSecond: 150.5,
    seconds: 2.5
  })
  expect(store.artifacts.checkpoint(1, 'last')).toMatchObject({ epoch: 10, sha256: 'cc'.repeat(32) })
  expect(store.artifacts.checkpoint(1, 'best')).toMatchObject({
    epoch: 9,
    file: 'runs/1/checkpoints/epoch-0009.ckpt'
  })
  expect(store.artifacts.previews(1)).toEqual([{ epoch: 1, file: 'runs/1/previews/epoch-0001.png' }])
  expect(store.artifacts.exports(1)).toEqual([
    expect.objectContaining({ kind: 'gif', file: '/home/me/morph.gif', params: { frames: 30 } })
  ])
  expect(store.settings.get('settings.latent', 0)).toBe(16)
}

describe('migrations with data', () => {
  it('upgrades a schema-1 database holding datasets, images, runs and metrics to the latest, every row intact', () => {
    const { file, db } = databaseAt(1)
    seedSchema1(db)
    db.close()
    open = Store.open(file)
    expect(open.schemaVersion()).toBe(latestVersion())
    expectSchema1Rows(open)
    expect(open.db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(open.db.pragma('foreign_key_check')).toEqual([])
  })

  it('leaves the upgraded rows working: new rows beside them, cascades still follow the old ids', () => {
    const { file, db } = databaseAt(1)
    seedSchema1(db)
    db.close()
    open = Store.open(file)
    // A sweep (schema 2) may name the old dataset; deleting the old run still cascades to its rows.
    const sweep = open.sweeps.create(1, parseTrainConfig({ ...CONFIG, latent: 2 }), [2, 4])
    expect(open.sweeps.get(sweep.id)).toMatchObject({ datasetId: 1, latents: [2, 4] })
    expect(open.runs.delete(1)).toBe(true)
    expect(open.runs.metrics(1)).toEqual([])
    expect(open.artifacts.checkpoint(1, 'last')).toBeUndefined()
    // Schema 4: a face dataset of the same folder is a dataset of its own, found by its face settings.
    const key = { source: '/home/me/faces', size: 32, channels: 1, fit: 'cover' } as const
    const faces = open.datasets.create({
      ...key,
      name: 'faces of faces',
      fit: 'faces',
      faces: { perImage: 'all', margin: 1.5 },
      splitSeed: 1,
      valFraction: 0.1
    })
    expect(open.datasets.find(key)?.id).toBe(1)
    expect(open.datasets.find({ ...key, fit: 'faces', faces: { perImage: 'all', margin: 1.5 } })?.id).toBe(
      faces.id
    )
    expect(open.datasets.find({ ...key, fit: 'faces', faces: { perImage: 'largest', margin: 1.5 } })).toBe(
      undefined
    )
    const face = {
      source: 'group.jpg',
      index: 2,
      box: { x: 10, y: 20, width: 100, height: 120 },
      eyes: { left: { x: 40, y: 60 }, right: { x: 80, y: 62 } },
      roll: 1.4,
      score: 0.98,
      expressions: {
        neutral: 0.1,
        happy: 0.85,
        sad: 0.01,
        angry: 0.01,
        fearful: 0.01,
        disgusted: 0.01,
        surprised: 0.01
      }
    }
    const row = {
      bytes: 5,
      mtimeMs: 5,
      status: 'ok',
      reason: null,
      width: 640,
      height: 480,
      format: 'JPEG'
    } as const
    open.images.replaceAll(faces.id, [
      { ...row, relPath: 'group.jpg#2', sha256: 'ee-f2', slot: 0, split: 'train', face }
    ])
    const [image] = open.images.images(faces.id)
    expect(open.images.faces(faces.id).get(image.id)).toEqual(face)
    // Re-importing without the face (the photo changed and lost it) drops its face row with it.
    open.images.replaceAll(faces.id, [
      { ...row, relPath: 'group.jpg#2', sha256: 'ee-f2', slot: 0, split: 'train' }
    ])
    expect(open.images.faces(faces.id).size).toBe(0)
    expect(open.datasets.delete(faces.id)).toBe(true)
    expect(open.db.prepare('SELECT count(*) FROM image_faces').pluck().get()).toBe(0)
  })

  for (const m of migrations.slice(1))
    it(`applies migration ${m.version} (${m.name}) on a database at ${m.version - 1} holding rows`, () => {
      const { file, db } = databaseAt(m.version - 1)
      seedSchema1(db)
      db.close()
      open = Store.open(file)
      expect(open.schemaVersion()).toBe(latestVersion())
      expectSchema1Rows(open)
    })
})
