import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { landmarksIn, PATCH } from '../../src/main/imaging/faces/detect'
import {
  eyeCentres,
  eyeTargets,
  rollDegrees,
  type Box,
  type Eyes
} from '../../src/main/imaging/faces/geometry'
import {
  faceImageName,
  findFaces,
  loadFaceModels,
  MIN_EYE_DISTANCE,
  type FaceCrop,
  type FaceModels,
  type FaceResult
} from '../../src/main/imaging/faces/index'
import { splitByTrait } from '../../src/main/imaging/faces/traits'
import type { RawImage } from '../../src/main/imaging/faces/warp'
import { initBackend } from '../../src/main/backends/activate'
import { SAMPLE_FACES, SAMPLES, samplePath } from '../helpers/face-samples'

const require = createRequire(import.meta.url)
const SIZE = 64

let models: FaceModels
const photos = new Map<number, Buffer>()
const all = new Map<number, FaceResult>()

beforeAll(async () => {
  await initBackend('wasm')
  models = await loadFaceModels()
  for (const n of SAMPLES) {
    photos.set(n, readFileSync(samplePath(n)))
    all.set(n, await findFaces(models, photos.get(n)!, { size: SIZE, channels: 3, perImage: 'all' }))
  }
})
afterAll(() => models?.dispose())

const inside = (b: Box, [x, y]: readonly number[]) =>
  x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height

/** The face counted by eye that a crop is of (its box holds that face's eye midpoint). */
const truthOf = (n: number, c: FaceCrop) => SAMPLE_FACES[n].findIndex((f) => inside(c.box, f.mid))

/**
 * The eyes the landmark net finds on a finished crop. The net is shown the crop's middle (all of it at margin
 * 1, the middle 1/margin of it at wider margins) at its 112-px input: the framing it was trained on.
 */
async function eyesOnCrop(pixels: Uint8Array, size: number, channels: 1 | 3, margin: number): Promise<Eyes> {
  const rgb =
    channels === 3 ? pixels : Uint8Array.from({ length: pixels.length * 3 }, (_, i) => pixels[(i / 3) | 0])
  const crop: RawImage = { data: rgb, width: size, height: size, channels: 3 }
  const k = (PATCH * margin) / size
  const t = { a: k, b: 0, tx: PATCH / 2 - (k * size) / 2, ty: PATCH / 2 - (k * size) / 2 }
  const [found] = await landmarksIn(models, crop, [t], false)
  return eyeCentres(found.landmarks) // landmarksIn maps them back into the crop
}

/** Level within `deg` and each eye within `px` of where the margin puts it. */
async function expectAligned(c: FaceCrop, size: number, channels: 1 | 3, margin = 1, deg = 4, px = 3.5) {
  const eyes = await eyesOnCrop(c.pixels, size, channels, margin)
  const want = eyeTargets(margin)
  expect(Math.abs(rollDegrees(eyes))).toBeLessThan(deg)
  expect(Math.hypot(eyes.left.x - want.left.x * size, eyes.left.y - want.left.y * size)).toBeLessThan(px)
  expect(Math.hypot(eyes.right.x - want.right.x * size, eyes.right.y - want.right.y * size)).toBeLessThan(px)
}

describe('face-api on our TensorFlow.js', () => {
  it('shares our one copy of tfjs-core: the same engine, Tensor class and kernel registry', () => {
    const api = require('@vladmandic/face-api/dist/face-api.node-wasm.js')
    expect(api.tf.engine()).toBe(tf.engine())
    expect(api.tf.Tensor).toBe(tf.Tensor)
    expect(api.tf.getBackend()).toBe('wasm')
    // Our Conv2DBackpropFilter kernel for wasm (src/engine/kernels) is visible through face-api's copy.
    expect(api.tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(
      tf.getKernel('Conv2DBackpropFilter', 'wasm')
    )
    const cores = Object.keys(require.cache).filter((k) => /[\\/]tfjs-core[\\/]dist[\\/][^\\/]+\.js$/.test(k))
    expect(cores).toHaveLength(1)
  })

  it('detection leaks no tensors', async () => {
    const before = tf.memory().numTensors
    await findFaces(models, photos.get(3)!, { size: SIZE, channels: 3, perImage: 'all' })
    expect(tf.memory().numTensors).toBe(before)
  })
})

describe('all faces of the sample photos', () => {
  it.each(SAMPLES)('sample%i: one crop per face counted by eye, left to right', (n) => {
    const res = all.get(n)!
    const profiles = SAMPLE_FACES[n].filter((f) => f.profile).length
    expect(res.skipped).toBeUndefined()
    expect(res.crops).toHaveLength(SAMPLE_FACES[n].length - profiles)
    expect(res.profiles).toBe(profiles)
    expect(res.tooSmall).toBe(0)
    // Each crop is of a different counted face, none of them the profile, in left-to-right order.
    const matched = res.crops.map((c) => truthOf(n, c))
    expect(matched.every((t) => t >= 0 && !SAMPLE_FACES[n][t].profile)).toBe(true)
    expect(new Set(matched).size).toBe(matched.length)
    expect(matched).toEqual([...matched].sort((a, b) => a - b))
    expect(res.crops.map((c) => c.index)).toEqual(res.crops.map((_, i) => i + 1))
    for (const c of res.crops) expect(c.pixels).toHaveLength(SIZE * SIZE * 3)
  })

  it('every crop has its eyes level and at 35 %/65 % across, 40 % down, found again on the crop', async () => {
    for (const n of SAMPLES) for (const c of all.get(n)!.crops) await expectAligned(c, SIZE, 3)
  })

  it('names each face <file>#<n>', () => {
    expect(faceImageName('party/sample1.jpg', 2)).toBe('party/sample1.jpg#2')
  })

  it('largest mode keeps the one face with the largest box', async () => {
    const res = await findFaces(models, photos.get(5)!, { size: SIZE, channels: 3 })
    expect(res.crops).toHaveLength(1)
    const area = (c: FaceCrop) => c.box.width * c.box.height
    expect(area(res.crops[0])).toBe(Math.max(...all.get(5)!.crops.map(area)))
    expect(res.crops[0].index).toBe(1)
  })
})

describe('photos without a usable face', () => {
  it('a gradient with shapes: "no face found"', async () => {
    const svg = `<svg width="800" height="600"><defs><linearGradient id="g"><stop offset="0" stop-color="#2a6"/>
      <stop offset="1" stop-color="#fc3"/></linearGradient></defs><rect width="800" height="600" fill="url(#g)"/>
      <circle cx="250" cy="250" r="120" fill="#fff"/><circle cx="210" cy="220" r="15" fill="#000"/>
      <rect x="480" y="300" width="200" height="140" fill="#36c"/><ellipse cx="400" cy="520" rx="90" ry="30"/></svg>`
    const png = await sharp(Buffer.from(svg)).png().toBuffer()
    const res = await findFaces(models, png, { size: SIZE, channels: 3 })
    expect(res).toMatchObject({ crops: [], skipped: 'no face found', width: 800, height: 600 })
  })

  it('faces with fewer than 16 px between the eyes are skipped as too small', async () => {
    // sample3's faces have about 95 px between the eyes: an eighth of the size leaves about 12.
    const small = await sharp(photos.get(3)!).resize(240).jpeg().toBuffer()
    const largest = await findFaces(models, small, { size: SIZE, channels: 3 })
    expect(largest.crops).toEqual([])
    expect(largest.skipped).toMatch(
      new RegExp(
        `^no usable face: the largest is too small: 1[0-3] px between the eyes, at least ${MIN_EYE_DISTANCE} needed$`
      )
    )
    const every = await findFaces(models, small, { size: SIZE, channels: 3, perImage: 'all' })
    expect(every.tooSmall).toBe(3)
    // A lower threshold (as a user could set) keeps them.
    const kept = await findFaces(models, small, {
      size: SIZE,
      channels: 3,
      perImage: 'all',
      minEyeDistance: 8
    })
    expect(kept.crops).toHaveLength(3)
  })

  it('a lone profile is skipped as turned to the side', async () => {
    // sample2 with the two frontal faces painted over leaves the girl in profile.
    const cover = (left: number, top: number) => ({
      input: { create: { width: 260, height: 300, channels: 3 as const, background: '#888' } },
      left,
      top
    })
    const one = await sharp(photos.get(2)!)
      .composite([cover(860, 190), cover(1410, 120)])
      .jpeg()
      .toBuffer()
    const res = await findFaces(models, one, { size: SIZE, channels: 3, perImage: 'all' })
    expect(res).toMatchObject({
      crops: [],
      profiles: 1,
      skipped: 'face turned to the side (one eye showing), so it cannot be aligned'
    })
  })

  it('bad bytes and bad options are refused in plain words', async () => {
    await expect(
      findFaces(models, Buffer.from('not a photo at all'), { size: SIZE, channels: 3 })
    ).rejects.toThrow('not an image')
    const cut = photos.get(1)!.subarray(0, 5000)
    await expect(findFaces(models, cut, { size: SIZE, channels: 3 })).rejects.toThrow(
      'truncated or corrupt JPEG'
    )
    await expect(findFaces(models, photos.get(1)!, { size: 4, channels: 3 })).rejects.toThrow(
      'face crop size must be a whole number ≥ 8, not 4'
    )
    await expect(findFaces(models, photos.get(1)!, { size: SIZE, channels: 3, margin: 5 })).rejects.toThrow(
      'face margin must be between 0.5 and 3, not 5'
    )
  })
})

describe('turned and tagged photos', () => {
  it('a photo turned 20° still gives level crops, and says how far each face was turned', async () => {
    const turned = await sharp(photos.get(6)!)
      .rotate(20, { background: '#fff' })
      .jpeg({ quality: 92 })
      .toBuffer()
    const res = await findFaces(models, turned, { size: SIZE, channels: 3, perImage: 'all' })
    const upright = all.get(6)!.crops
    expect(res.crops).toHaveLength(upright.length)
    res.crops.forEach((c, i) => expect(Math.abs(c.roll - (upright[i].roll + 20))).toBeLessThan(3))
    for (const c of res.crops) await expectAligned(c, SIZE, 3)
  })

  it('EXIF orientation is applied first: boxes are in the upright photo', async () => {
    // Stored turned a quarter anticlockwise, tagged 6 ("turn 90° clockwise to view").
    const stored = await sharp(photos.get(1)!)
      .rotate(-90)
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 95 })
      .toBuffer()
    expect((await sharp(stored).metadata()).orientation).toBe(6)
    const res = await findFaces(models, stored, { size: SIZE, channels: 3, perImage: 'all' })
    const want = all.get(1)!
    expect([res.width, res.height]).toEqual([want.width, want.height])
    expect(res.crops).toHaveLength(want.crops.length)
    res.crops.forEach((c, i) => {
      expect(Math.abs(c.box.x - want.crops[i].box.x)).toBeLessThan(4)
      expect(Math.abs(c.box.y - want.crops[i].box.y)).toBeLessThan(4)
    })
  })

  it('grey crops with a wider margin put the eyes where that margin says', async () => {
    const res = await findFaces(models, photos.get(3)!, {
      size: 96,
      channels: 1,
      perImage: 'all',
      margin: 1.5
    })
    expect(res.crops).toHaveLength(3)
    for (const c of res.crops) {
      expect(c.pixels).toHaveLength(96 * 96)
      await expectAligned(c, 96, 1, 1.5)
    }
  })
})

describe('expression traits', () => {
  it('the smiling faces land in "with" for happy, the unsmiling ones in "without"', () => {
    const scored = SAMPLES.flatMap((n) =>
      all.get(n)!.crops.map((c) => ({ id: `sample${n}#${truthOf(n, c) + 1}`, expressions: c.expressions }))
    )
    const { with: smiling, without } = splitByTrait(scored, 'happy', 0.5)
    const called = (smile: string) =>
      SAMPLES.flatMap((n) =>
        SAMPLE_FACES[n].flatMap((f, i) => (f.smile === smile && !f.profile ? [`sample${n}#${i + 1}`] : []))
      )
    expect(called('yes')).toEqual([
      'sample1#3',
      'sample3#2',
      'sample3#3',
      'sample4#3',
      'sample4#4',
      'sample5#4',
      'sample6#2'
    ])
    for (const id of called('yes')) expect(smiling).toContain(id)
    for (const id of called('no')) expect(without).toContain(id)
  })
})
