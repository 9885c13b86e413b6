import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { aestudio } from '../helpers/cli'
import { hostileFolder, makeImageFolder } from '../helpers/images'
import { tempDir } from '../helpers/tmp'

describe('aestudio import', () => {
  it('prints exactly the documented JSON, exits 0 with skipped files, and lists the dataset', async () => {
    const h = await hostileFolder(tempDir())
    const home = tempDir()
    const r = aestudio(['import', h.dir, '--size', '16', '--json'], home)
    expect(r.status, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(Object.keys(out)).toEqual(['datasetId', 'imported', 'duplicates', 'skipped', 'size', 'channels'])
    expect(out).toMatchObject({ datasetId: 1, imported: 10, duplicates: 1, size: 16, channels: 3 })
    expect(out.skipped).toContainEqual({ file: 'truncated.jpg', reason: 'truncated or corrupt JPEG' })
    expect(out.skipped).toHaveLength(Object.keys(h.bad).length)

    const list = aestudio(['datasets', '--json'], home)
    expect(list.status).toBe(0)
    expect(JSON.parse(list.stdout)).toMatchObject([{ id: 1, imageCount: 10, skippedCount: 6, size: 16 }])
    const human = aestudio(['datasets'], home)
    expect(human.stdout).toMatch(/^ID\s+NAME/)
    expect(human.stdout).toMatch(/10 \(9\/1\)/)
  })

  it('says in plain words when the folder cannot be read or options are wrong', async () => {
    const home = tempDir()
    const missing = aestudio(['import', join(home, 'no-such-folder')], home)
    expect(missing.status).toBe(3)
    expect(missing.stderr).toMatch(/no-such-folder does not exist/)
    expect(missing.stderr).not.toMatch(/at .*\.ts:\d+/)

    const dir = tempDir()
    await makeImageFolder(dir, 2, 16)
    const badSize = aestudio(['import', dir, '--size', '60'], home)
    expect(badSize.status).toBe(2)
    expect(badSize.stderr).toMatch(/size: must be a multiple of 8/)
    expect(aestudio(['import', dir, '--channels', '2'], home).status).toBe(2)
    expect(aestudio(['import', dir, '--fit', 'stretch'], home).status).toBe(2)
    expect(aestudio(['import'], home).status).toBe(2)

    const ok = aestudio(
      ['import', dir, '--size', '8', '--channels', '1', '--fit', 'contain', '--name', 'Two'],
      home
    )
    expect(ok.status, ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/Dataset 1 "Two": 2 images \(1 train, 1 validation\) at 8×8 grey, contain/)
  })
})
