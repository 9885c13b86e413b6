// Colourisation and watermark removal end to end on generated images: train through the real service, then
// colourise / clean new images through the service and the CLI, and check the numbers against the truth.
import * as tf from '@tensorflow/tfjs'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { corrupt } from '../../src/engine/noise'
import { importFolder } from '../../src/main/services/datasets'
import { restoreImages } from '../../src/main/services/restore'
import { openStudio, type Studio } from '../../src/main/services/studio'
import { startTraining } from '../../src/main/services/training'
import { aestudioInProcess } from '../helpers/cli'

const SIZE = 16
let home: string
let studio: Studio

/** Colour is predictable from shape and brightness: bright squares are always orange, dark discs always blue. */
const ORANGE = [255, 190, 30]
const BLUE = [30, 70, 230]
const BACKGROUND = [128, 128, 128]

/**
 * One 16×16 RGB image: a square (even i) or a disc (odd i), at one of 64 positions and one of 2 sizes, so i in
 * [0, 256) gives 256 different images. Multiples of 7 are held out of training.
 */
function shapeImage(i: number): Uint8Array {
  const px = new Uint8Array(SIZE * SIZE * 3)
  const square = i % 2 === 0
  const k = Math.floor(i / 2)
  const [cx, cy] = centreOf(i)
  const big = Math.floor(k / 64) % 2 === 1
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const inside = square
        ? Math.abs(x - cx) <= (big ? 3 : 2) && Math.abs(y - cy) <= (big ? 3 : 2)
        : (x - cx) ** 2 + (y - cy) ** 2 <= (big ? 12 : 6)
      px.set(inside ? (square ? ORANGE : BLUE) : BACKGROUND, (y * SIZE + x) * 3)
    }
  return px
}

function centreOf(i: number): [number, number] {
  const k = Math.floor(i / 2)
  return [4 + (k % 8), 4 + (Math.floor(k / 8) % 8)]
}

const heldOut = (count: number, from: number) => Array.from({ length: count }, (_, j) => 7 * (from + j))

async function writeImages(dir: string, images: Uint8Array[], channels: 1 | 3 = 3): Promise<string[]> {
  mkdirSync(dir, { recursive: true })
  return Promise.all(
    images.map(async (px, i) => {
      const file = join(dir, `img-${String(i).padStart(2, '0')}.png`)
      await sharp(px, { raw: { width: SIZE, height: SIZE, channels } })
        .png()
        .toFile(file)
      return file
    })
  )
}

const readRgb = async (file: string) =>
  new Uint8Array(await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer())

/** Mean absolute chroma error: per pixel, each channel minus the pixel's mean, against the truth's. */
function chromaError(out: Uint8Array, truth: Uint8Array): number {
  let sum = 0
  for (let p = 0; p < out.length; p += 3) {
    const mo = (out[p] + out[p + 1] + out[p + 2]) / 3
    const mt = (truth[p] + truth[p + 1] + truth[p + 2]) / 3
    for (let k = 0; k < 3; k++) sum += Math.abs(out[p + k] - mo - (truth[p + k] - mt))
  }
  return sum / out.length / 255
}

/** The image's mean channel balance: mean R − B and mean G − B, in [−1, 1]. */
function balance(px: Uint8Array): [number, number] {
  let rb = 0
  let gb = 0
  for (let p = 0; p < px.length; p += 3) {
    rb += px[p] - px[p + 2]
    gb += px[p + 1] - px[p + 2]
  }
  const n = (px.length / 3) * 255
  return [rb / n, gb / n]
}

const balanceError = (a: Uint8Array, b: Uint8Array) => {
  const [x, y] = [balance(a), balance(b)]
  return Math.abs(x[0] - y[0]) + Math.abs(x[1] - y[1])
}

const mse = (a: Uint8Array, b: Uint8Array) => a.reduce((s, v, i) => s + ((v - b[i]) / 255) ** 2, 0) / a.length

async function train(folder: string, config: Record<string, unknown>, channels: 1 | 3 = 3) {
  const { datasetId } = await importFolder(studio, {
    paths: [folder],
    size: SIZE,
    channels,
    valFraction: 0.2
  })
  const { run, finished } = startTraining(studio, {
    datasetId,
    config: { size: SIZE, channels, latent: 16, batch: 16, lr: 0.003, ...config }
  })
  expect((await finished).status).toBe('done')
  return run.id
}

let colorRun: number
let cleanRun: number

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'aestudio-restore-'))
  studio = openStudio({ home })
  const shapes = await writeImages(
    join(home, 'shapes'),
    Array.from({ length: 256 }, (_, i) => i)
      .filter((i) => i % 7 !== 0)
      .map(shapeImage)
  )
  expect(shapes).toHaveLength(219)
  colorRun = await train(join(home, 'shapes'), { model: 'colorize', epochs: 60, lr: 0.005 })
  cleanRun = await train(join(home, 'shapes'), {
    model: 'denoising',
    noise: { kind: 'marks', amount: 0.15 },
    epochs: 30
  })
}, 240_000)

afterAll(() => {
  studio.close()
  rmSync(home, { recursive: true, force: true })
})

describe('colourisation', () => {
  it('gives grey images back colours much closer to the truth than the grey input', async () => {
    // New positions (not in the training set), saved as greyscale files: all the model gets is brightness.
    const ids = heldOut(6, 3)
    const truth = ids.map(shapeImage)
    const grey = truth.map((px) => {
      const g = new Uint8Array(SIZE * SIZE)
      for (let p = 0; p < g.length; p++)
        g[p] = Math.round(0.299 * px[p * 3] + 0.587 * px[p * 3 + 1] + 0.114 * px[p * 3 + 2])
      return g
    })
    const files = await writeImages(join(home, 'grey'), grey, 1)
    const out = join(home, 'colourised')
    const r = await restoreImages(studio, 'colorize', { runId: colorRun, images: files, out })
    expect(r.files).toHaveLength(12)
    let greyErr = 0
    let outErr = 0
    let greyBalance = 0
    let outBalance = 0
    for (let i = 0; i < truth.length; i++) {
      const colour = await readRgb(r.images[i].files![0])
      greyErr += chromaError(await readRgb(files[i]), truth[i])
      outErr += chromaError(colour, truth[i])
      greyBalance += balanceError(await readRgb(files[i]), truth[i])
      outBalance += balanceError(colour, truth[i])
      // Channel balance inside the shape: red over blue for squares, blue over red for discs.
      const meta = await sharp(r.images[i].files![1]).metadata()
      expect([meta.width, meta.height]).toEqual([2 * SIZE, SIZE])
    }
    // The mean channel balance (the image's overall hue) is far closer; per pixel, colours are right but blurred
    // by the small bottleneck, so the per-pixel margin is smaller.
    expect(greyBalance).toBeGreaterThan(0.02 * truth.length)
    expect(outBalance).toBeLessThan(greyBalance * 0.4)
    expect(greyErr).toBeGreaterThan(0.02 * truth.length)
    expect(outErr).toBeLessThan(greyErr * 0.75)

    const centre = async (file: string, i: number) => {
      const px = await readRgb(file)
      const [cx, cy] = centreOf(ids[i])
      const p = (cy * SIZE + cx) * 3
      return px[p] - px[p + 2]
    }
    for (let i = 0; i < truth.length; i++) {
      const redMinusBlue = await centre(r.images[i].files![0], i)
      if (ids[i] % 2 === 0) expect(redMinusBlue).toBeGreaterThan(60)
      else expect(redMinusBlue).toBeLessThan(-60)
    }
  })

  it('returns data URLs without a folder, and refuses the wrong run kind or a missing file in plain words', async () => {
    const [file] = await writeImages(join(home, 'one'), [shapeImage(3)])
    const r = await restoreImages(studio, 'colorize', { runId: colorRun, images: [file] })
    expect(r.files).toEqual([])
    expect(r.images[0].input).toMatch(/^data:image\/png;base64,/)
    expect(r.images[0].output).toMatch(/^data:image\/png;base64,/)
    const input = await sharp(Buffer.from(r.images[0].input!.split(',')[1], 'base64')).metadata()
    expect(input.channels).toBe(1)
    await expect(restoreImages(studio, 'colorize', { runId: cleanRun, images: [file] })).rejects.toThrow(
      /is a denoising model; colourising images needs a colorize run/
    )
    await expect(restoreImages(studio, 'clean', { runId: colorRun, images: [file] })).rejects.toThrow(
      /cleaning images needs a denoising run/
    )
    await expect(
      restoreImages(studio, 'colorize', { runId: colorRun, images: [join(home, 'nope.png')] })
    ).rejects.toMatchObject({ code: 'not_found' })
  })

  it('needs a colour dataset', async () => {
    const folder = join(home, 'greyset')
    await writeImages(folder, [new Uint8Array(SIZE * SIZE).fill(9), new Uint8Array(SIZE * SIZE).fill(99)], 1)
    const { datasetId } = await importFolder(studio, { paths: [folder], size: SIZE, channels: 1 })
    expect(() =>
      startTraining(studio, { datasetId, config: { model: 'colorize', size: SIZE, channels: 1 } })
    ).toThrow(/needs a colour dataset \(3 channels\)/)
  })

  it('aestudio colorize writes PNGs and strips, and --json lists them', async () => {
    const files = await writeImages(join(home, 'cli-in'), [shapeImage(7), shapeImage(8)])
    const out = join(home, 'cli-out')
    const r = await aestudioInProcess(['colorize', String(colorRun), ...files, '--out', out, '--json'], home)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const json = JSON.parse(r.stdout) as { files: string[] }
    expect(json.files.map((f) => f.slice(out.length + 1))).toEqual([
      'img-00-colour.png',
      'img-00-strip.png',
      'img-01-colour.png',
      'img-01-strip.png'
    ])
    expect(json.files.every((f) => existsSync(f))).toBe(true)
    const human = await aestudioInProcess(['colorize', String(colorRun), files[0], '--out', out], home)
    expect(human.stdout).toMatch(/^Colourised 1 image at 16×16:/)
    const noOut = await aestudioInProcess(['colorize', String(colorRun), files[0]], home)
    expect(noOut.code).toBe(2)
    expect(noOut.stderr).toMatch(/--out DIR/)
  })
})

describe('watermark removal', () => {
  it('cleans marked images: the output is closer to the clean original than the marked input', async () => {
    const originals = heldOut(6, 20).map(shapeImage)
    // Marks drawn with a seed the training never used.
    const marked = tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(originals.flatMap((px) => Array.from(px, (v) => v / 255))), [
        originals.length,
        SIZE,
        SIZE,
        3
      ])
      return corrupt(x, { kind: 'marks', amount: 0.15 }, 987654)
    })
    const markedBytes = Uint8Array.from(marked.dataSync(), (v) => Math.round(v * 255))
    marked.dispose()
    const per = SIZE * SIZE * 3
    const files = await writeImages(
      join(home, 'marked'),
      originals.map((_, i) => markedBytes.subarray(i * per, (i + 1) * per))
    )
    const out = join(home, 'cleaned')
    const r = await restoreImages(studio, 'clean', { runId: cleanRun, images: files, out })
    let before = 0
    let after = 0
    for (let i = 0; i < originals.length; i++) {
      before += mse(await readRgb(files[i]), originals[i])
      after += mse(await readRgb(r.images[i].files![0]), originals[i])
    }
    expect(before).toBeGreaterThan(0.01 * originals.length)
    expect(after).toBeLessThan(before * 0.6)

    const cliRun = await aestudioInProcess(
      ['clean', String(cleanRun), files[0], '--out', join(home, 'cli-clean'), '--json'],
      home
    )
    expect(cliRun.code).toBe(0)
    expect(
      (JSON.parse(cliRun.stdout) as { files: string[] }).files.map((f) => f.split(/[\\/]/).pop())
    ).toEqual(['img-00-clean.png', 'img-00-strip.png'])
  })
})
