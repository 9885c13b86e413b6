// The Train screen's augmentation strip: real images imported through the service, augmented by the engine's
// batch op, returned as PNG data URLs and decoded back here.
import * as tf from '@tensorflow/tfjs'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { drawAugmentParams } from '../../src/engine/augment'
import { augmentPreview } from '../../src/main/services/augment-preview'
import { importFolder, loadTrainingData } from '../../src/main/services/datasets'
import { openStudio, type Studio } from '../../src/main/services/studio'
import { DEFAULT_AUGMENT, NO_AUGMENT } from '../../src/shared/train-options'

const SIZE = 16
const COUNT = 8
const SEED = 7
let home: string
let studio: Studio
let datasetId: number
/** The imported pixels of each training image, in the order the preview picks them (all of them: COUNT). */
let originals: Uint8Array[]

/** Image i: a left-to-right ramp (x·15), offset by i so no two are duplicates, grey on all three channels. */
function rampImage(i: number): Buffer {
  const px = Buffer.alloc(SIZE * SIZE * 3)
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) px.fill(x * 15 + i, (y * SIZE + x) * 3, (y * SIZE + x + 1) * 3)
  return px
}

const decode = async (dataUrl: string) => {
  expect(dataUrl.startsWith('data:image/png;base64,')).toBe(true)
  const png = Buffer.from(dataUrl.slice('data:image/png;base64,'.length), 'base64')
  return new Uint8Array(await sharp(png).removeAlpha().toColourspace('srgb').raw().toBuffer())
}

/** The image mirrored left–right. */
function mirrored(px: Uint8Array): Uint8Array {
  const out = new Uint8Array(px.length)
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++)
      for (let c = 0; c < 3; c++) out[(y * SIZE + x) * 3 + c] = px[(y * SIZE + (SIZE - 1 - x)) * 3 + c]
  return out
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'aestudio-augment-'))
  const folder = join(home, 'ramps')
  mkdirSync(folder)
  await Promise.all(
    Array.from({ length: COUNT }, (_, i) =>
      sharp(rampImage(i), { raw: { width: SIZE, height: SIZE, channels: 3 } })
        .png()
        .toFile(join(folder, `ramp-${i}.png`))
    )
  )
  studio = openStudio({ home })
  ;({ datasetId } = await importFolder(studio, {
    paths: [folder],
    size: SIZE,
    channels: 3,
    valFraction: 0
  }))
  const data = await loadTrainingData(studio, datasetId)
  expect(data.trainCount).toBe(COUNT)
  const per = SIZE * SIZE * 3
  originals = Array.from({ length: COUNT }, (_, i) => data.train.slice(i * per, (i + 1) * per))
}, 60_000)

afterAll(() => {
  studio?.close()
  rmSync(home, { recursive: true, force: true })
})

describe('augmentation preview', () => {
  it('with augmentation off gives back the training images exactly', async () => {
    const preview = await augmentPreview(studio, { datasetId, augment: NO_AUGMENT, count: COUNT, seed: SEED })
    expect(preview).toMatchObject({ datasetId, size: SIZE })
    expect(preview.images).toHaveLength(COUNT)
    const decoded = await Promise.all(preview.images.map((i) => decode(i.dataUrl)))
    decoded.forEach((px, i) => expect(px).toEqual(originals[i]))
    // A ramp really: dark on the left, bright on the right, so a mirror shows.
    expect(originals[0][0]).toBeLessThan(originals[0][(SIZE - 1) * 3])
  })

  it('with flips only mirrors exactly the images the seed picks, and leaves the others alone', async () => {
    const augment = { ...NO_AUGMENT, flip: true }
    const picked = drawAugmentParams(COUNT, SIZE, SIZE, augment, SEED).flip
    // The seed was chosen so the strip holds both kinds.
    expect(Array.from(picked).filter((f) => f === 1).length).toBeGreaterThan(0)
    expect(Array.from(picked).filter((f) => f === 0).length).toBeGreaterThan(0)
    const preview = await augmentPreview(studio, { datasetId, augment, count: COUNT, seed: SEED })
    const decoded = await Promise.all(preview.images.map((i) => decode(i.dataUrl)))
    decoded.forEach((px, i) => expect(px).toEqual(picked[i] ? mirrored(originals[i]) : originals[i]))
    // The same seed draws the same flips again.
    const again = await augmentPreview(studio, { datasetId, augment, count: COUNT, seed: SEED })
    expect(again.images.map((i) => i.dataUrl)).toEqual(preview.images.map((i) => i.dataUrl))
  })

  it('takes `count` images spread through the split, and leaves no tensor behind', async () => {
    await augmentPreview(studio, { datasetId, augment: DEFAULT_AUGMENT, count: 2 })
    const before = tf.memory().numTensors
    const preview = await augmentPreview(studio, { datasetId, augment: DEFAULT_AUGMENT, count: 3, seed: 2 })
    expect(tf.memory().numTensors).toBe(before)
    expect(preview.images).toHaveLength(3)
    const data = await loadTrainingData(studio, datasetId)
    // ⌊i·8/3⌋: images 0, 2 and 5 of the split.
    expect(preview.images.map((i) => i.imageId)).toEqual([0, 2, 5].map((k) => data.trainImageIds[k]))
  })

  it('refuses an unknown dataset and options out of range, in plain words', async () => {
    await expect(augmentPreview(studio, { datasetId: 999, augment: NO_AUGMENT })).rejects.toMatchObject({
      code: 'not_found',
      message: 'Dataset 999 was not found.'
    })
    await expect(
      augmentPreview(studio, { datasetId, augment: { ...NO_AUGMENT, shift: 0.5 } })
    ).rejects.toMatchObject({ code: 'validation', message: expect.stringMatching(/augment\.shift/) })
  })
})
