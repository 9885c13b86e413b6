// The face import end to end, on three of face-api's sample photos and three images without a usable face:
// the `aestudio import --faces` command itself once (the "done when"), then the same data directory
// in this process for re-imports, the source-photo and trait calls, training and `aestudio vector --trait`.
// The face models are slow on wasm (about 3 faces/s), so one import is shared by every test.
import * as tf from '@tensorflow/tfjs'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findFaces, loadFaceModels, type FaceModels } from '../../src/main/imaging/faces/index'
import { openFaceModels } from '../../src/main/imaging/faces/open'
import { datasetImages, getDataset, importFolder, loadTrainingData } from '../../src/main/services/datasets'
import { imagePixels, releaseModels } from '../../src/main/services/run-models'
import { sourcePhoto } from '../../src/main/services/source-photo'
import { openStudio, type Studio } from '../../src/main/services/studio'
import { traitSets } from '../../src/main/services/trait-sets'
import { evalRun, startTraining } from '../../src/main/services/training'
import type { DatasetImage, ImportProgress, ImportResult } from '../../src/shared/contract/datasets'
import { aestudio, aestudioInProcess } from '../helpers/cli'
import { faceFolder, SAMPLE_FACES, samplePath } from '../helpers/face-samples'
import { makeImageFolder } from '../helpers/images'

const SIZE = 64
let root: string
let home: string
let folder: string
let first: ImportResult & { faces: NonNullable<ImportResult['faces']> }
let studio: Studio

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'aestudio-faces-'))
  home = join(root, 'home')
  folder = await faceFolder(join(root, 'photos'))
  const cli = aestudio(
    ['import', folder, '--faces', '--faces-per-image', 'all', '--size', String(SIZE), '--json'],
    home,
    180_000
  )
  // (Native TensorFlow, where it is set up, logs its start-up on stderr.)
  expect(cli.status, cli.stderr).toBe(0)
  first = JSON.parse(cli.stdout)
  // The backend the import's face models ran on (native TensorFlow where set up, else wasm), so the crops
  // made here to compare with come out the same.
  ;(await openFaceModels()).dispose()
  studio = openStudio({ home })
}, 240_000)

afterAll(async () => {
  if (studio) await releaseModels(studio)
  studio?.close()
  rmSync(root, { recursive: true, force: true })
})

const images = (): DatasetImage[] => datasetImages(studio, first.datasetId, { limit: 1000 }).items
const byName = () => new Map(images().map((i) => [i.relPath, i]))

/** Opens the real face models and counts how often an import asks for them. */
function countingOpener() {
  const opener = async (): Promise<FaceModels> => {
    opener.loads++
    return loadFaceModels()
  }
  opener.loads = 0
  return opener
}

const reimport = (extra: { onProgress?: (p: ImportProgress) => void } = {}) => {
  const open = countingOpener()
  const result = importFolder(
    studio,
    { paths: [folder], fit: 'faces', facesPerImage: 'all', size: SIZE },
    { openFaceModels: open, ...extra }
  )
  return { open, result }
}

/** Runs `aestudio` in this process against the test's data directory. */
const runCli = (argv: string[]) => aestudioInProcess(argv, home)

/** `aestudio argv` refuses with exit 2 (usage), saying `message`. */
async function refuses(argv: string[], message: string) {
  const r = await runCli(argv)
  expect(r.code).toBe(2)
  expect(r.stderr).toContain(message)
}

describe('aestudio import --faces --faces-per-image all --size 64 --json', () => {
  it('imports one image per alignable face and skips each image without a usable face, saying why', () => {
    // Sample 1 has 3 faces, sample 2 has 3 of which one is a profile (left out and counted), sample 3 has 3.
    expect(first).toMatchObject({
      imported: 8,
      duplicates: 0,
      size: SIZE,
      channels: 3,
      faces: { images: 8, photos: 3, profiles: 1 }
    })
    expect(first.skipped.slice(0, 2)).toEqual([
      { file: 'gradient.png', reason: 'no face found' },
      { file: 'shapes.png', reason: 'no face found' }
    ])
    expect(first.skipped[2].file).toBe('small.jpg')
    expect(first.skipped[2].reason).toMatch(
      /^no usable face: the largest is too small: 1[0-5] px between the eyes, at least 16 needed$/
    )
    // All three faces of small.jpg are found, and are too small.
    expect(first.faces.tooSmall).toBe(3)
    expect(getDataset(studio, first.datasetId)).toMatchObject({
      fit: 'faces',
      faces: { perImage: 'all', margin: 1 },
      imageCount: 8,
      skippedCount: 3
    })
  })

  it('names each face <file>#<n> left to right, with its box around the face counted by eye', () => {
    const items = images()
    expect(items.map((i) => i.relPath).sort()).toEqual([
      'sample1.jpg#1',
      'sample1.jpg#2',
      'sample1.jpg#3',
      'sample2.jpg#1',
      'sample2.jpg#2',
      'sample3.jpg#1',
      'sample3.jpg#2',
      'sample3.jpg#3'
    ])
    for (const i of items) {
      const n = Number(/^sample(\d)/.exec(i.relPath)![1])
      const frontal = SAMPLE_FACES[n].filter((f) => !f.profile)
      const [x, y] = frontal[i.face!.index - 1].mid
      const { box } = i.face!
      expect(i.face!.source).toBe(`sample${n}.jpg`)
      expect(x > box.x && x < box.x + box.width && y > box.y && y < box.y + box.height, i.relPath).toBe(true)
      const total = Object.values(i.face!.expressions).reduce((a, b) => a + b, 0)
      expect(total).toBeCloseTo(1, 2)
    }
  })

  it('keeps the aligned crops in the pixel cache and the thumbnails', async () => {
    const models = await loadFaceModels()
    const direct = await findFaces(models, readFileSync(samplePath(3)), {
      size: SIZE,
      channels: 3,
      perImage: 'all'
    })
    models.dispose()
    const data = await loadTrainingData(studio, first.datasetId)
    const per = SIZE * SIZE * 3
    const slotOf = (name: string) => {
      const id = byName().get(name)!.id
      const t = data.trainImageIds.indexOf(id)
      return t >= 0
        ? data.train.subarray(t * per, (t + 1) * per)
        : data.val.subarray(data.valImageIds.indexOf(id) * per, (data.valImageIds.indexOf(id) + 1) * per)
    }
    for (const c of direct.crops) {
      const cached = slotOf(`sample3.jpg#${c.index}`)
      expect(cached.length).toBe(per)
      // The same photo, the same code: the same crop (the CLI ran in another process).
      expect(Math.max(...cached.map((v, i) => Math.abs(v - c.pixels[i])))).toBeLessThanOrEqual(1)
      const thumb = byName().get(`sample3.jpg#${c.index}`)!.thumb
      const { data: t, info } = await sharp(join(home, thumb)).raw().toBuffer({ resolveWithObject: true })
      expect([info.width, info.height]).toEqual([SIZE, SIZE])
      const mean = t.reduce((a, v, i) => a + Math.abs(v - c.pixels[i]), 0) / t.length
      expect(mean).toBeLessThan(8) // WebP at quality 80 of that crop
    }
  })
})

describe('re-importing the face folder', () => {
  it('decodes nothing and opens no face model when nothing changed; ids stay', async () => {
    const before = images().map((i) => [i.relPath, i.id])
    const { open, result } = reimport()
    const r = await result
    expect(open.loads).toBe(0)
    expect(r).toMatchObject({
      datasetId: first.datasetId,
      imported: 8,
      decoded: 0,
      removed: 0,
      faces: { images: 8, photos: 3, tooSmall: 0, profiles: 0 }
    })
    expect(r.skipped).toEqual(first.skipped)
    expect(images().map((i) => [i.relPath, i.id])).toEqual(before)
  })

  it('finds faces again only in a changed photo; a touched one or a copy is known by its content', async () => {
    const ids = byName()
    const tensors = tf.memory().numTensors
    // sample1 saved again (other bytes), sample2 only touched, and a copy of sample3 under another name.
    writeFileSync(join(folder, 'sample1.jpg'), await sharp(samplePath(1)).jpeg({ quality: 90 }).toBuffer())
    const mtime = new Date(Date.now() - 60_000)
    utimesSync(join(folder, 'sample2.jpg'), mtime, mtime)
    copyFileSync(samplePath(3), join(folder, 'zcopy.jpg'))
    const progress: ImportProgress[] = []
    const { open, result } = reimport({ onProgress: (p) => progress.push(p) })
    const r = await result
    // Only sample1 is decoded; sample2's and the copy's faces are in the cache already.
    expect(open.loads).toBe(1)
    expect(r).toMatchObject({ decoded: 1, imported: 8, duplicates: 3, faces: { images: 8, photos: 3 } })
    expect(tf.memory().numTensors).toBe(tensors)
    expect(progress.at(-1)).toMatchObject({ done: 7, total: 7, faces: 11 })
    const after = byName()
    for (const [name, image] of ids) expect(after.get(name)?.id, name).toBe(image.id)
    const dup = studio.store.images.all(first.datasetId).filter((i) => i.status === 'duplicate')
    expect(dup.map((d) => [d.relPath, d.reason])).toEqual([
      ['zcopy.jpg#1', 'same bytes as sample3.jpg'],
      ['zcopy.jpg#2', 'same bytes as sample3.jpg'],
      ['zcopy.jpg#3', 'same bytes as sample3.jpg']
    ])
    rmSync(join(folder, 'zcopy.jpg'))
  }, 60_000)
})

describe('the source photo of a face image', () => {
  it('comes shrunk, with the box of every face the dataset took from it', async () => {
    const names = byName()
    const photo = await sourcePhoto(studio, { imageId: names.get('sample3.jpg#2')!.id, maxSide: 960 })
    expect([photo.width, photo.height, photo.source]).toEqual([960, 675, 'sample3.jpg'])
    expect(photo.dataUrl.startsWith('data:image/jpeg;base64,')).toBe(true)
    const { width } = await sharp(Buffer.from(photo.dataUrl.split(',')[1], 'base64')).metadata()
    expect(width).toBe(960)
    expect(photo.faces.map((f) => [f.imageId, f.index])).toEqual(
      [1, 2, 3].map((n) => [names.get(`sample3.jpg#${n}`)!.id, n])
    )
    // Half the photo's size: half its boxes.
    const full = names.get('sample3.jpg#2')!.face!.box
    expect(photo.faces[1].box.x).toBeCloseTo(full.x / 2, 6)
    expect(photo.faces[1].box.width).toBeCloseTo(full.width / 2, 6)
  })

  it('is refused in plain words for an image that is no face, or a photo changed since', async () => {
    await makeImageFolder(join(root, 'plain'), 2, 16)
    const plain = await importFolder(studio, { paths: [join(root, 'plain')], size: 16 })
    const [img] = datasetImages(studio, plain.datasetId).items
    await expect(sourcePhoto(studio, { imageId: img.id })).rejects.toMatchObject({
      code: 'validation',
      message: `Image ${img.id} (img-000.png) is not a face image: dataset "plain" was not imported with faces.`
    })
    const names = byName()
    // As if the photo had changed after the import (the rows say another mtime): its boxes are not for it.
    studio.store.db
      .prepare('UPDATE images SET mtime_ms = mtime_ms - 1000 WHERE id = ?')
      .run(names.get('sample1.jpg#1')!.id)
    await expect(sourcePhoto(studio, { imageId: names.get('sample1.jpg#1')!.id })).rejects.toMatchObject({
      code: 'conflict',
      message: 'sample1.jpg has changed since it was imported; import the folder again to see its faces.'
    })
    studio.store.db
      .prepare('UPDATE images SET mtime_ms = mtime_ms + 1000 WHERE id = ?')
      .run(names.get('sample1.jpg#1')!.id)
    expect(() => traitSets(studio, { datasetId: plain.datasetId, trait: 'happy', threshold: 0.5 })).toThrow(
      'Dataset "plain" was not imported with faces, so its images have no expression scores; import the ' +
        'folder with faces.'
    )
  })
})

describe('expression traits of the face dataset', () => {
  it('puts the smiling faces in "with" for happy and the unsmiling ones in "without"', () => {
    const sets = traitSets(studio, { datasetId: first.datasetId, trait: 'happy', threshold: 0.5 })
    // Counted by eye (test/helpers/face-samples.ts): sample 1's laughing face, sample 3's two smiles.
    expect(sets.with.map((i) => i.relPath).sort()).toEqual([
      'sample1.jpg#3',
      'sample3.jpg#2',
      'sample3.jpg#3'
    ])
    expect(sets.without.map((i) => i.relPath).sort()).toEqual([
      'sample1.jpg#1',
      'sample1.jpg#2',
      'sample2.jpg#1',
      'sample2.jpg#2',
      'sample3.jpg#1'
    ])
    const happy = (l: DatasetImage[]) => l.map((i) => i.face!.expressions.happy)
    expect(happy(sets.with)).toEqual([...happy(sets.with)].sort((a, b) => b - a))
    expect(happy(sets.without)).toEqual([...happy(sets.without)].sort((a, b) => a - b))
    // A gap between the thresholds leaves the unsure faces in neither set.
    const gap = traitSets(studio, { datasetId: first.datasetId, trait: 'happy', threshold: 0.9, below: 0.05 })
    for (const i of gap.with) expect(i.face!.expressions.happy).toBeGreaterThanOrEqual(0.9)
    for (const i of gap.without) expect(i.face!.expressions.happy).toBeLessThan(0.05)
  })

  it('leaves excluded images out of both sets', () => {
    const id = byName().get('sample3.jpg#2')!.id
    studio.store.images.setExcluded(id, true)
    try {
      const sets = traitSets(studio, { datasetId: first.datasetId, trait: 'happy', threshold: 0.5 })
      expect(sets.with.map((i) => i.id)).not.toContain(id)
      expect(sets.with).toHaveLength(2)
    } finally {
      studio.store.images.setExcluded(id, false)
    }
  })
})

describe('a face dataset', () => {
  it('trains, and `aestudio vector --trait happy` picks with and without from it by score', async () => {
    const { run: r, finished } = startTraining(studio, {
      datasetId: first.datasetId,
      config: { model: 'conv', size: SIZE, channels: 3, latent: 8, epochs: 2, batch: 8, lr: 0.01 }
    })
    expect(await finished).toMatchObject({ status: 'done', epochsDone: 2 })
    const target = byName().get('sample2.jpg#1')!.id
    const out = join(root, 'smile.gif')
    const cli = await runCli([
      'vector',
      String(r.id),
      '--trait',
      'happy',
      '--below',
      '0.3',
      '--apply',
      String(target),
      '--out',
      out,
      '--frames',
      '3',
      '--size',
      '64',
      '--json'
    ])
    expect(cli.stderr).toBe('')
    expect(cli.code).toBe(0)
    const res = JSON.parse(cli.stdout)
    expect(res.picked.trait).toBe('happy')
    expect([...res.picked.with].sort()).toEqual(['sample1.jpg#3', 'sample3.jpg#2', 'sample3.jpg#3'])
    for (const name of res.picked.without)
      expect(byName().get(name)!.face!.expressions.happy, name).toBeLessThan(0.3)
    expect(res).toMatchObject({ out, dimensions: 8, strengths: [0, 0.5, 1] })
    // A photo picked as the image to change is taken as its largest face, aligned like the dataset's.
    const onFile = await runCli(['vector', String(r.id), '--trait', 'happy', '--apply', samplePath(6)])
    expect(onFile.stderr).toBe('')
    expect(onFile.code).toBe(0)
    // Measuring the run on a folder measures the faces of its photos: one each for the three samples.
    expect((await evalRun(studio, r.id, folder)).count).toBe(3)
    // Without --json it says which faces it picked, with their scores.
    const text = await runCli(['vector', String(r.id), '--trait', 'happy'])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^With happy \(score ≥ 0\.5\): 3\n {2}sample/)
    expect(text.stdout).toMatch(/\nWithout \(score < 0\.5\): 5\n/)
  }, 120_000)

  it('cuts a face image again from its photo, by the eyes found at import, for other settings', async () => {
    const grey = { size: 32, channels: 1, fit: 'faces', faces: { perImage: 'all', margin: 1.5 } } as const
    const models = await loadFaceModels()
    const direct = await findFaces(models, readFileSync(samplePath(3)), {
      ...grey,
      perImage: 'all',
      margin: 1.5
    })
    models.dispose()
    const pixels = await imagePixels(studio, byName().get('sample3.jpg#2')!.id, grey)
    expect(pixels.length).toBe(32 * 32)
    expect(Math.max(...pixels.map((v, i) => Math.abs(v - direct.crops[1].pixels[i])))).toBeLessThanOrEqual(1)
  })

  it('refuses --trait mixed with --with, or on a run of a dataset without faces, in plain words', async () => {
    await refuses(
      ['vector', '1', '--trait', 'happy', '--with', '3'],
      '--trait picks the images itself: give it, or --with and --without, not both.'
    )
    await refuses(
      ['vector', '1', '--threshold', '0.4', '--with', '3', '--without', '4'],
      '--threshold and --below only apply with --trait.'
    )
    await refuses(
      ['vector', '1', '--trait', 'smug'],
      '--trait: must be one of: neutral, happy, sad, angry, fearful, disgusted, surprised'
    )
    await refuses(
      ['vector', '1', '--trait', 'happy', '--threshold', '0.3', '--below', '0.6'],
      '--below: must not be above threshold'
    )
  })
})

describe('aestudio import flags', () => {
  it('refuses --faces with --fit, and the face flags without --faces (exit 2)', async () => {
    await refuses(
      ['import', folder, '--faces', '--fit', 'cover'],
      '--faces crops around each face, so it cannot be combined with --fit cover.'
    )
    for (const flag of [
      ['--faces-per-image', 'all'],
      ['--face-margin', '1.5']
    ]) {
      await refuses(['import', folder, ...flag], `${flag[0]} only applies with --faces.`)
    }
    await refuses(
      ['import', folder, '--faces', '--faces-per-image', 'some'],
      '--faces-per-image must be largest or all, got "some"'
    )
    await refuses(
      ['import', folder, '--faces', '--face-margin', '4'],
      '--face-margin must be between 0.5 and 3, got 4'
    )
  })
})
