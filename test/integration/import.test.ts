import { existsSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { JobControl } from '../../src/shared/control'
import {
  datasetImages,
  decodeForModel,
  deleteDataset,
  excludeImage,
  getDataset,
  importFolder,
  loadTrainingData,
  skippedFiles
} from '../../src/main/services/datasets'
import { openStudio, type Studio } from '../../src/main/services/studio'
import { hostileFolder, makeImageFolder, shapeImage } from '../helpers/images'
import { tempDir } from '../helpers/tmp'

let studio: Studio | undefined
const open = (home = tempDir()) => (studio = openStudio({ home }))
afterEach(() => studio?.close())

const integrityOk = (s: Studio) => expect(s.store.db.pragma('integrity_check', { simple: true })).toBe('ok')

describe('importFolder on a hostile folder', () => {
  it('imports every good image once, names every bad file, ignores hidden and system files', async () => {
    const h = await hostileFolder(tempDir())
    const s = open()
    const r = await importFolder(s, { paths: [h.dir], size: 16 })
    expect(r.imported).toBe(h.good.length)
    expect(r.duplicates).toBe(h.duplicates.length)
    expect(Object.fromEntries(r.skipped.map((x) => [x.file, x.reason]))).toEqual(h.bad)
    for (const f of h.ignored) expect(r.skipped.map((x) => x.file)).not.toContain(f)
    expect(r).toMatchObject({ size: 16, channels: 3 })

    const d = getDataset(s, r.datasetId)
    expect(d).toMatchObject({ imageCount: 10, skippedCount: 6, duplicateCount: 1, source: h.dir })
    expect(d.trainCount + d.valCount).toBe(10)
    expect(d.valCount).toBe(1)
    expect(skippedFiles(s, r.datasetId)).toEqual(r.skipped)

    const page = datasetImages(s, r.datasetId, { offset: 0, limit: 100 })
    expect(page.total).toBe(10)
    expect(page.items.map((i) => i.relPath).sort()).toEqual(h.good)
    for (const item of page.items) expect(existsSync(join(s.paths.home, item.thumb)), item.thumb).toBe(true)
    expect(datasetImages(s, r.datasetId, { offset: 8, limit: 5 }).items).toHaveLength(2)
    integrityOk(s)
  })

  it('imports a list of files as a new dataset with paths relative to their common folder', async () => {
    const dir = tempDir()
    const [a] = await makeImageFolder(join(dir, 'x'), 2, 16)
    const [b] = await makeImageFolder(join(dir, 'y', 'z'), 1, 20)
    const s = open()
    const r = await importFolder(s, { paths: [a, b], size: 8, name: 'picked' })
    expect(r).toMatchObject({ imported: 2, skipped: [] })
    expect(getDataset(s, r.datasetId)).toMatchObject({ name: 'picked', source: '' })
    expect(
      datasetImages(s, r.datasetId)
        .items.map((i) => i.relPath)
        .sort()
    ).toEqual(['x/img-000.png', 'y/z/img-000.png'])
    // A list of files is not a folder to keep in sync: importing it again makes another dataset.
    expect((await importFolder(s, { paths: [a, b], size: 8 })).datasetId).not.toBe(r.datasetId)
  })

  it('fails with a clear not_found error when the folder does not exist', async () => {
    const s = open()
    await expect(importFolder(s, { paths: [join(tempDir(), 'nope')] })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/nope does not exist/)
    })
    expect(s.store.datasets.list()).toEqual([])
  })
})

describe('incremental re-import', () => {
  it('decodes nothing when unchanged, exactly the changed or new files otherwise, and drops removed ones', async () => {
    const dir = tempDir()
    await makeImageFolder(dir, 6, 24)
    const s = open()
    const first = await importFolder(s, { paths: [dir], size: 8 })
    expect(first).toMatchObject({ imported: 6, decoded: 6 })
    const before = await loadTrainingData(s, first.datasetId)
    const ids = datasetImages(s, first.datasetId).items.map((i) => i.id)

    const again = await importFolder(s, { paths: [dir], size: 8 })
    expect(again).toMatchObject({ datasetId: first.datasetId, imported: 6, decoded: 0, removed: 0 })
    expect(await loadTrainingData(s, first.datasetId)).toEqual(before)

    // Touched but byte-identical: hashed, not decoded.
    utimesSync(join(dir, 'img-001.png'), new Date(), new Date(Date.now() + 5000))
    expect((await importFolder(s, { paths: [dir], size: 8 })).decoded).toBe(0)

    // One file's content changes.
    writeFileSync(join(dir, 'img-002.png'), await shapeImage(99, 24))
    utimesSync(join(dir, 'img-002.png'), new Date(), new Date(Date.now() + 10_000))
    const changed = await importFolder(s, { paths: [dir], size: 8 })
    expect(changed).toMatchObject({ imported: 6, decoded: 1 })
    expect(datasetImages(s, first.datasetId).items.map((i) => i.id)).toEqual(ids)
    const slot2 = datasetImages(s, first.datasetId).items.find((i) => i.relPath === 'img-002.png')!
    const expected = await decodeForModel(join(dir, 'img-002.png'), { size: 8, channels: 3, fit: 'cover' })
    const data = await loadTrainingData(s, first.datasetId)
    const at = data.trainImageIds.indexOf(slot2.id)
    const got =
      at >= 0
        ? data.train.subarray(at * 192, (at + 1) * 192)
        : data.val.subarray(
            data.valImageIds.indexOf(slot2.id) * 192,
            (data.valImageIds.indexOf(slot2.id) + 1) * 192
          )
    expect(got).toEqual(expected)

    // One removed, one added.
    rmSync(join(dir, 'img-000.png'))
    writeFileSync(join(dir, 'new.png'), await shapeImage(50, 24))
    const moved = await importFolder(s, { paths: [dir], size: 8 })
    expect(moved).toMatchObject({ imported: 6, decoded: 1, removed: 1 })
    const files = readdirSync(s.paths.dataset(first.datasetId))
    expect(files.filter((f) => f.startsWith('pixels-'))).toHaveLength(1)
    expect(readdirSync(join(s.paths.dataset(first.datasetId), 'thumbs'))).toHaveLength(6)

    // Other settings are another dataset with its own cache.
    const grey = await importFolder(s, { paths: [dir], size: 16, channels: 1 })
    expect(grey.datasetId).not.toBe(first.datasetId)
    expect((await loadTrainingData(s, grey.datasetId)).train.length).toBe(5 * 16 * 16)
    integrityOk(s)
  })
})

describe('training data', () => {
  it('is NHWC uint8 split by seed, leaving excluded images out', async () => {
    const dir = tempDir()
    await makeImageFolder(dir, 10, 16)
    const s = open()
    const r = await importFolder(s, { paths: [dir], size: 8, valFraction: 0.2, seed: 7 })
    let data = await loadTrainingData(s, r.datasetId)
    expect(data).toMatchObject({ size: 8, channels: 3, trainCount: 8, valCount: 2 })
    expect(data.train.length).toBe(8 * 8 * 8 * 3)
    expect(data.val.length).toBe(2 * 8 * 8 * 3)

    // Same seed in another data directory: the same split.
    const other = openStudio({ home: tempDir() })
    const r2 = await importFolder(other, { paths: [dir], size: 8, valFraction: 0.2, seed: 7 })
    const val2 = datasetImages(other, r2.datasetId)
      .items.filter((i) => i.split === 'val')
      .map((i) => i.relPath)
    other.close()
    expect(
      datasetImages(s, r.datasetId)
        .items.filter((i) => i.split === 'val')
        .map((i) => i.relPath)
    ).toEqual(val2)

    const excluded = data.trainImageIds[0]
    excludeImage(s, excluded, true)
    data = await loadTrainingData(s, r.datasetId)
    expect(data.trainCount).toBe(7)
    expect(data.trainImageIds).not.toContain(excluded)
    // An exclusion survives a re-import.
    await importFolder(s, { paths: [dir], size: 8 })
    expect((await loadTrainingData(s, r.datasetId)).trainCount).toBe(7)
    excludeImage(s, excluded, false)
    expect((await loadTrainingData(s, r.datasetId)).trainCount).toBe(8)
    expect(() => excludeImage(s, 9999, true)).toThrow(/Image 9999 was not found/)

    deleteDataset(s, r.datasetId)
    expect(existsSync(s.paths.dataset(r.datasetId))).toBe(false)
    expect(s.store.images.all(r.datasetId)).toEqual([])
  })
})

describe('cancellation', () => {
  it('leaves a new import uncreated and an existing dataset as it was', async () => {
    const dir = tempDir()
    await makeImageFolder(dir, 8, 16)
    const s = open()
    const stopped = new JobControl()
    stopped.apply('stop')
    await expect(importFolder(s, { paths: [dir], size: 8 }, { control: stopped })).rejects.toMatchObject({
      code: 'cancelled'
    })
    expect(s.store.datasets.list()).toEqual([])

    const r = await importFolder(s, { paths: [dir], size: 8 })
    const before = await loadTrainingData(s, r.datasetId)
    await makeImageFolder(join(dir, 'more'), 8, 20)
    const control = new JobControl()
    const onProgress = (p: { done: number }) => {
      if (p.done > 8) control.apply('stop')
    }
    await expect(
      importFolder(s, { paths: [dir], size: 8 }, { control, onProgress, poolWidth: 1 })
    ).rejects.toMatchObject({
      code: 'cancelled'
    })
    expect(getDataset(s, r.datasetId).imageCount).toBe(8)
    expect(await loadTrainingData(s, r.datasetId)).toEqual(before)
    expect(readdirSync(s.paths.datasets).filter((f) => f.startsWith('.import-'))).toEqual([])
    integrityOk(s)
  })
})
