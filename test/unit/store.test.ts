import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { latestVersion, migrations } from '../../src/main/store/migrations/index'
import { NewerDatabaseError, openDatabase, Store } from '../../src/main/store/index'
import { parseTrainConfig } from '../../src/shared/config'
import { tempDir } from '../helpers/tmp'
import { ROOT } from '../helpers/cli'

const newDataset = {
  name: 'faces',
  source: '/photos',
  size: 64,
  channels: 3 as const,
  fit: 'cover' as const,
  splitSeed: 7,
  valFraction: 0.1
}

describe('run store', () => {
  it('migrates an empty database to the latest schema with WAL and foreign keys on', () => {
    const store = Store.open(join(tempDir(), 'studio.db'))
    expect(store.schemaVersion()).toBe(migrations[migrations.length - 1].version)
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000)
    const tables = store.db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
      .pluck()
      .all()
    expect(tables).toEqual([
      'checkpoints',
      'datasets',
      'exports',
      'image_faces',
      'images',
      'metrics',
      'previews',
      'runs',
      'settings',
      'sweeps'
    ])
    store.close()
  })

  it('reopens idempotently and keeps data', () => {
    const file = join(tempDir(), 'studio.db')
    const a = Store.open(file)
    a.datasets.create(newDataset)
    a.settings.set('defaultLatent', 16)
    a.close()
    const b = Store.open(file)
    expect(b.schemaVersion()).toBe(latestVersion())
    expect(b.datasets.list().map((d) => d.name)).toEqual(['faces'])
    expect(b.settings.get('defaultLatent', 32)).toBe(16)
    b.close()
  })

  it('refuses a database written by a newer version, leaving it untouched', () => {
    const file = join(tempDir(), 'studio.db')
    Store.open(file).close()
    const raw = openDatabase(file)
    raw.pragma('user_version = 99')
    raw.close()
    expect(() => Store.open(file)).toThrow(NewerDatabaseError)
    expect(() => Store.open(file)).toThrow(/newer version of Autoencoder Studio \(schema 99/)
    const check = openDatabase(file, {
      migrations: [...migrations, { version: 99, name: 'future', up: () => {} }]
    })
    expect(check.pragma('user_version', { simple: true })).toBe(99)
    check.close()
  })

  it('applies migrations in one transaction: a failing one leaves the schema as it was', () => {
    const file = join(tempDir(), 'studio.db')
    const broken = [
      ...migrations,
      {
        version: migrations.length + 1,
        name: 'broken',
        up: (db: import('better-sqlite3').Database) => {
          db.exec('CREATE TABLE half_done (x)')
          throw new Error('boom')
        }
      }
    ]
    expect(() => openDatabase(file, { migrations: broken })).toThrow('boom')
    const db = openDatabase(file)
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length)
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'half_done'`).pluck().get()).toBe(0)
    db.close()
  })

  it('enforces foreign keys and cascades', () => {
    const store = Store.open(join(tempDir(), 'studio.db'))
    expect(() => store.runs.create(12345, parseTrainConfig({ model: 'conv' }))).toThrow(/FOREIGN KEY/)
    const ds = store.datasets.create(newDataset)
    const run = store.runs.create(ds.id, parseTrainConfig({ model: 'vae', latent: 8 }))
    store.runs.recordEpoch(run.id, {
      epoch: 1,
      loss: 0.5,
      recon: 0.4,
      kl: 0.1,
      valLoss: 0.6,
      imagesPerSecond: 10,
      seconds: 2
    })
    store.runs.recordEpoch(run.id, {
      epoch: 2,
      loss: 0.4,
      recon: 0.3,
      kl: 0.1,
      valLoss: 0.7,
      imagesPerSecond: 10,
      seconds: 2
    })
    expect(store.runs.get(run.id)).toMatchObject({ epochsDone: 2, bestValLoss: 0.6, model: 'vae' })
    expect(store.runs.get(run.id)!.config.latent).toBe(8)
    store.datasets.delete(ds.id)
    expect(store.runs.get(run.id)!.datasetId).toBeNull()
    store.runs.delete(run.id)
    expect(store.runs.metrics(run.id)).toEqual([])
    store.close()
  })

  it('marks runs whose owner process died as interrupted', () => {
    const store = Store.open(join(tempDir(), 'studio.db'))
    const run = store.runs.create(null, parseTrainConfig({ model: 'conv' }))
    store.runs.markStarted(run.id, 'wasm', [], 999999)
    expect(store.runs.markOrphansInterrupted((pid) => pid === process.pid)).toEqual([run.id])
    expect(store.runs.get(run.id)).toMatchObject({ status: 'interrupted' })
    store.close()
  })

  it('survives a process killed in the middle of a transaction', async () => {
    const file = join(tempDir(), 'studio.db')
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test/helpers/crash-writer.ts'), file],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit']
      }
    )
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('in-transaction') && resolve())
      child.on('exit', (code) => reject(new Error(`writer exited early (${code})`)))
    })
    child.kill('SIGKILL')
    await new Promise((r) => child.on('exit', r))
    const store = Store.open(file)
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(store.datasets.list().map((d) => d.name)).toEqual(['committed'])
    store.close()
  })
})
