// The export services end to end on tiny trained runs: morph files (GIF, WebP, PNG strip) decoded back with
// sharp, the morph viewer's frames, reconstruction / sample / manifold grids, the latent map, and a model export
// loaded by a fresh TensorFlow.js in another process.
import * as tf from '@tensorflow/tfjs'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeCodes, encodeImages } from '../../src/engine/model-ops'
import { scaleImage, type RawImage } from '../../src/main/exports/raw-image'
import { fileLoader } from '../../src/main/exports/tfjs-files'
import { decodeForModel, importFolder, loadTrainingData } from '../../src/main/services/datasets'
import {
  exportModel,
  latentMap,
  manifoldGrid,
  morphExport,
  morphFrame,
  reconGrid,
  samplesRandom
} from '../../src/main/services/viewers'
import { loadRunModel, releaseModels } from '../../src/main/services/run-models'
import { openStudio, type Studio } from '../../src/main/services/studio'
import { startTraining } from '../../src/main/services/training'
import type { TrainConfigInput } from '../../src/shared/config'
import { morphExportSchema } from '../../src/shared/contract/viewers'
import * as v from 'valibot'
import { ROOT } from '../helpers/cli'
import { makeSquareImages } from '../helpers/images'

const SIZE = 16
let home: string
let studio: Studio
let images: string[]
let datasetId: number
const runs: Record<'conv' | 'denoising' | 'vae', number> = { conv: 0, denoising: 0, vae: 0 }

async function train(config: TrainConfigInput): Promise<number> {
  const { run, finished } = startTraining(studio, { datasetId, config })
  const done = await finished
  expect(done.status, done.error ?? '').toBe('done')
  return run.id
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'aestudio-exports-'))
  images = await makeSquareImages(join(home, 'images'), 20)
  studio = openStudio({ home })
  datasetId = (
    await importFolder(studio, { paths: [join(home, 'images')], size: SIZE, channels: 1, valFraction: 0.25 })
  ).datasetId
  const base = { size: SIZE, channels: 1, epochs: 2, batch: 8 } as const
  // Enough epochs at a brisk rate that different images get visibly different reconstructions.
  runs.conv = await train({ ...base, model: 'conv', latent: 4, epochs: 6, lr: 0.01 })
  runs.denoising = await train({ ...base, model: 'denoising', latent: 4 })
  runs.vae = await train({ ...base, model: 'vae', latent: 2 })
})

afterAll(async () => {
  await releaseModels(studio)
  studio.close()
  rmSync(home, { recursive: true, force: true })
})

const morphInput = (over: Record<string, unknown>) =>
  v.parse(morphExportSchema, { runId: runs.conv, keyframes: [images[0], images[7]], ...over })

/** The run's own reconstruction of an image file, scaled like a morph frame. */
async function reconOf(runId: number, file: string, size: number): Promise<RawImage> {
  const { model } = await loadRunModel(studio, runId, 'best')
  try {
    const [code] = await encodeImages(
      model,
      await decodeForModel(file, { size: SIZE, channels: 1, fit: 'cover' }),
      1
    )
    const [img] = await decodeCodes(model, [code])
    return scaleImage(img, size)
  } finally {
    model.dispose()
  }
}

/** First-channel pixels of one page of an animated file. */
async function page(file: string, n: number): Promise<Uint8Array> {
  const { data, info } = await sharp(file, { page: n }).raw().toBuffer({ resolveWithObject: true })
  return Uint8Array.from({ length: info.width * info.height }, (_, i) => data[i * info.channels])
}

const meanAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i])
  return s / a.length
}

describe('morph exports', () => {
  it('writes a GIF with the asked frames, size, loop and delay, starting and ending on the keyframes', async () => {
    const out = join(home, 'out', 'morph.gif')
    const events: { done: number; total: number }[] = []
    const r = await morphExport(studio, morphInput({ out, frames: 6, size: 48, delay: 70, loop: 2 }), {
      onProgress: (p) => events.push(p)
    })
    expect(r).toMatchObject({
      file: out,
      format: 'gif',
      frames: 6,
      width: 48,
      height: 48,
      delay: 70,
      loop: 2
    })
    const meta = await sharp(out, { animated: true }).metadata()
    expect(meta.format).toBe('gif')
    expect(meta.pages).toBe(6)
    expect(meta.width).toBe(48)
    expect(meta.pageHeight).toBe(48)
    expect(meta.loop).toBe(2)
    expect(meta.delay).toEqual(new Array(6).fill(70))

    const [a, b] = [await reconOf(runs.conv, images[0], 48), await reconOf(runs.conv, images[7], 48)]
    expect(meanAbsDiff(a.data, b.data)).toBeGreaterThan(5)
    const first = await page(out, 0)
    const last = await page(out, 5)
    // A GIF palette and dithering cost a few levels; the ends must still be the keyframes' reconstructions.
    expect(meanAbsDiff(first, a.data)).toBeLessThan(3)
    expect(meanAbsDiff(last, b.data)).toBeLessThan(3)
    expect(meanAbsDiff(first, b.data)).toBeGreaterThan(meanAbsDiff(first, a.data) + 3)

    expect(events.at(-1)).toMatchObject({ runId: runs.conv, kind: 'morph', done: 13, total: 13, file: out })
    const recorded = studio.store.artifacts.exports(runs.conv).find((e) => e.id === r.exportId)
    expect(recorded).toMatchObject({ kind: 'gif', file: out })
    expect(recorded!.params).toMatchObject({ frames: 6, size: 48, delay: 70, loop: 2, interp: 'lerp' })
  })

  it('ping-pong plays back to the start: 2·frames − 2 frames, mirrored', async () => {
    const out = join(home, 'out', 'pingpong.gif')
    const r = await morphExport(
      studio,
      morphInput({ out, frames: 5, size: 24, pingpong: true, interp: 'slerp' })
    )
    expect(r.frames).toBe(8)
    const meta = await sharp(out, { animated: true }).metadata()
    expect(meta.pages).toBe(8)
    expect(meanAbsDiff(await page(out, 7), await page(out, 1))).toBeLessThan(1)
    expect(meanAbsDiff(await page(out, 5), await page(out, 3))).toBeLessThan(1)
  })

  it('writes WebP and PNG strips by extension, through three keyframes', async () => {
    const webp = join(home, 'out', 'morph.webp')
    const r = await morphExport(
      studio,
      morphInput({ out: webp, frames: 5, size: 32, keyframes: [images[0], images[5], images[9]] })
    )
    expect(r.format).toBe('webp')
    const meta = await sharp(webp, { animated: true }).metadata()
    expect(meta.format).toBe('webp')
    expect(meta.delay!.reduce((s, d) => s + d)).toBe(5 * 80)
    // Lossless: the middle frame is exactly the middle keyframe's reconstruction.
    expect(meanAbsDiff(await page(webp, 2), (await reconOf(runs.conv, images[5], 32)).data)).toBeLessThan(
      0.01
    )

    const png = join(home, 'out', 'strip.png')
    const s = await morphExport(studio, morphInput({ out: png, frames: 4, size: 20 }))
    expect(s).toMatchObject({ format: 'png', frames: 4, width: 80, height: 20 })
    const pm = await sharp(png).metadata()
    expect([pm.format, pm.width, pm.height]).toEqual(['png', 80, 20])
  })

  it('refuses what it cannot do in plain words, leaving no file behind', async () => {
    await expect(morphExport(studio, morphInput({ out: join(home, 'out', 'x.mp4') }))).rejects.toThrow(
      /name it \.gif, \.webp or \.png/
    )
    const junk = join(home, 'junk.png')
    writeFileSync(junk, 'not really a png')
    await expect(
      morphExport(studio, morphInput({ keyframes: [images[0], junk], out: join(home, 'out', 'bad.gif') }))
    ).rejects.toThrow(/junk\.png: .*image/i)
    await expect(
      morphExport(
        studio,
        morphInput({ keyframes: [images[0], join(home, 'nope.png')], out: join(home, 'o.gif') })
      )
    ).rejects.toMatchObject({ code: 'not_found' })
    await expect(
      morphExport(studio, morphInput({ runId: 999, out: join(home, 'o.gif') }))
    ).rejects.toMatchObject({
      code: 'not_found',
      message: 'Run 999 was not found.'
    })
  })
})

describe('the morph viewer', () => {
  it('returns PNG frames along the path, the ends equal to the keyframes’ reconstructions, fast when warm', async () => {
    const input = { runId: runs.conv, keyframes: [images[0], images[7]], interp: 'lerp' as const }
    const f0 = await morphFrame(studio, { ...input, t: 0 })
    expect(f0).toMatchObject({ width: SIZE, height: SIZE, t: 0 })
    const decode = async (url: string) => {
      const { data, info } = await sharp(Buffer.from(url.split(',')[1], 'base64'))
        .raw()
        .toBuffer({ resolveWithObject: true })
      return {
        data: Uint8Array.from({ length: info.width * info.height }, (_, i) => data[i * info.channels]),
        info
      }
    }
    expect((await decode(f0.dataUrl)).data).toEqual((await reconOf(runs.conv, images[0], SIZE)).data)
    const f1 = await morphFrame(studio, { ...input, t: 1, size: 64 })
    const d1 = await decode(f1.dataUrl)
    expect([d1.info.width, d1.info.height]).toEqual([64, 64])
    expect(d1.data).toEqual((await reconOf(runs.conv, images[7], 64)).data)
    // Keyframe codes and the model are cached: a warm frame is well under the viewer's 100 ms budget.
    const t = performance.now()
    for (let i = 0; i < 5; i++) await morphFrame(studio, { ...input, t: i / 4, size: 64 })
    expect((performance.now() - t) / 5).toBeLessThan(100)
  })

  it('takes dataset images by id as keyframes', async () => {
    const data = await loadTrainingData(studio, datasetId)
    const [a, b] = data.valImageIds
    const byId = await morphFrame(studio, { runId: runs.conv, keyframes: [a, b], t: 0, interp: 'lerp' })
    const { model } = await loadRunModel(studio, runs.conv, 'best')
    const [code] = await encodeImages(model, data.val.subarray(0, SIZE * SIZE), 1)
    const [expected] = await decodeCodes(model, [code])
    model.dispose()
    const { data: px } = await sharp(Buffer.from(byId.dataUrl.split(',')[1], 'base64'))
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true })
    expect(Uint8Array.from(px)).toEqual(expected.data)
    await expect(
      morphFrame(studio, { runId: runs.conv, keyframes: [a, 987654], t: 0, interp: 'lerp' })
    ).rejects.toThrow('Image 987654 was not found.')
  })
})

describe('grids', () => {
  it('recon: originals above reconstructions, spread through the validation split', async () => {
    const out = join(home, 'out', 'recon.png')
    const r = await reconGrid(studio, { runId: runs.conv, count: 2, out })
    // 16 px images are shown at 64 px (×4, nearest); 2 px gaps around every cell.
    expect(r).toMatchObject({ file: out, rows: ['original', 'reconstruction'], columns: 2, cell: 64 })
    expect([r.width, r.height]).toEqual([2 * 64 + 3 * 2, 2 * 64 + 3 * 2])
    const meta = await sharp(out).metadata()
    expect([meta.width, meta.height]).toEqual([r.width, r.height])
    const data = await loadTrainingData(studio, datasetId)
    // 4 validation images (a quarter of 20), 2 shown: the 1st and the 3rd (⌊i·4/2⌋).
    expect(data.valCount).toBe(4)
    const picks = [0, 2]
    expect(r.imageIds).toEqual(picks.map((i) => data.valImageIds[i]))
    // Each original cell has the mean of its validation image.
    const { data: px, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true })
    const cellMean = (row: number, col: number) => {
      let s = 0
      for (let y = 0; y < 64; y++)
        for (let x = 0; x < 64; x++)
          s += px[((2 + row * 66 + y) * info.width + 2 + col * 66 + x) * info.channels]
      return s / 4096
    }
    picks.forEach((index, col) => {
      const img = data.val.subarray(index * 256, (index + 1) * 256)
      expect(cellMean(0, col)).toBeCloseTo(img.reduce((s, p) => s + p, 0) / 256, 5)
    })
    expect(studio.store.artifacts.exports(runs.conv).some((e) => e.kind === 'recon' && e.file === out)).toBe(
      true
    )
  })

  it('recon of a denoising run adds the noisy inputs as a middle row; without --out it is a data URL', async () => {
    const r = await reconGrid(studio, { runId: runs.denoising, count: 3 })
    expect(r.rows).toEqual(['original', 'noisy', 'reconstruction'])
    expect(r.file).toBeUndefined()
    const meta = await sharp(Buffer.from(r.dataUrl!.split(',')[1], 'base64')).metadata()
    expect([meta.width, meta.height]).toEqual([3 * 64 + 4 * 2, 3 * 64 + 4 * 2])
  })

  it('samples come from a VAE’s prior, seeded; other models have no sampler', async () => {
    const out = join(home, 'out', 'samples.png')
    const r = await samplesRandom(studio, { runId: runs.vae, count: 6, seed: 3, out })
    expect(r).toMatchObject({ columns: 3, rows: ['sample', 'sample'], width: 3 * 64 + 8, height: 2 * 64 + 6 })
    const again = await samplesRandom(studio, { runId: runs.vae, count: 6, seed: 3 })
    const other = await samplesRandom(studio, { runId: runs.vae, count: 6, seed: 4 })
    const raw = async (src: string | Buffer) => (await sharp(src).raw().toBuffer()).toString('base64')
    const fromUrl = (url: string) => Buffer.from(url.split(',')[1], 'base64')
    expect(await raw(fromUrl(again.dataUrl!))).toBe(await raw(out))
    expect(await raw(fromUrl(other.dataUrl!))).not.toBe(await raw(out))
    await expect(samplesRandom(studio, { runId: runs.conv, count: 4, seed: 1 })).rejects.toThrow(
      /this model has no sampler/
    )
  })

  it('manifold: steps × steps decoded codes for a 2-D latent; a clear refusal otherwise', async () => {
    const r = await manifoldGrid(studio, { runId: runs.vae, steps: 3 })
    expect(r).toMatchObject({ columns: 3, rows: ['manifold', 'manifold', 'manifold'] })
    await expect(manifoldGrid(studio, { runId: runs.conv, steps: 3 })).rejects.toThrow(
      /2-D latent space; run \d+ has 4/
    )
  })
})

describe('latent map', () => {
  it('projects every validation image to 2-D with its id and thumbnail', async () => {
    const map = await latentMap(studio, { runId: runs.conv, limit: 2000 })
    const data = await loadTrainingData(studio, datasetId)
    expect(map.points.map((p) => p.imageId)).toEqual(data.valImageIds)
    expect(map.points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.thumb)).toBe(true)
    expect(map.explained[0]).toBeGreaterThanOrEqual(map.explained[1])
    expect(map.explained[0] + map.explained[1]).toBeLessThanOrEqual(1 + 1e-9)
    expect(Math.abs(map.points.reduce((s, p) => s + p.x, 0))).toBeLessThan(1e-3)
  })
})

describe('tensors', () => {
  it('none are left behind by the viewer calls once a run’s model is loaded', async () => {
    const keyframes = [images[0], images[7]]
    await morphFrame(studio, { runId: runs.conv, keyframes, t: 0.5, interp: 'lerp' })
    const before = tf.memory().numTensors
    await morphFrame(studio, { runId: runs.conv, keyframes, t: 0.25, interp: 'slerp', size: 64 })
    await morphExport(studio, morphInput({ out: join(home, 'out', 'leak.gif'), frames: 4, size: 16 }))
    await reconGrid(studio, { runId: runs.conv, count: 4 })
    await latentMap(studio, { runId: runs.conv, limit: 100 })
    expect(tf.memory().numTensors).toBe(before)
  })
})

describe('model export', () => {
  it('writes encoder and decoder that a fresh TensorFlow.js loads and that reproduce the reconstructions', async () => {
    const dir = join(home, 'exported')
    const r = await exportModel(studio, { runId: runs.conv, out: dir })
    expect(r.files).toEqual([
      'encoder/model.json',
      'encoder/weights.bin',
      'decoder/model.json',
      'decoder/weights.bin',
      'config.json'
    ])
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))
    expect(config).toMatchObject({ runId: runs.conv, model: 'conv', input: { shape: [SIZE, SIZE, 1] } })
    expect(JSON.parse(readFileSync(join(dir, 'encoder', 'model.json'), 'utf8')).format).toBe('layers-model')

    // The reference: this process's model on four validation images.
    const data = await loadTrainingData(studio, datasetId)
    const pixels = data.val.subarray(0, 4 * SIZE * SIZE)
    const { model } = await loadRunModel(studio, runs.conv, 'best')
    const expected = await decodeCodes(model, await encodeImages(model, pixels, 4))
    model.dispose()

    // Another process with nothing but tfjs and the file loader.
    const input = join(home, 'pixels.json')
    writeFileSync(input, JSON.stringify(Array.from(pixels)))
    const script = `import * as tf from '@tensorflow/tfjs'
       import { readFileSync } from 'node:fs'
       import { fileLoader } from ${JSON.stringify(join(ROOT, 'src/main/exports/tfjs-files.ts'))}
       const [dir, input] = process.argv.slice(1)
       const encoder = await tf.loadLayersModel(fileLoader(dir + '/encoder/model.json'))
       const decoder = await tf.loadLayersModel(fileLoader(dir + '/decoder/model.json'))
       const x = tf.tensor4d(JSON.parse(readFileSync(input, 'utf8')).map((v) => v / 255), [4, ${SIZE}, ${SIZE}, 1])
       const y = decoder.predict(encoder.predict(x))
       console.log(JSON.stringify(Array.from(await y.data()).map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255))))`
    // Evaluated from the repository root so '@tensorflow/tfjs' resolves from its node_modules.
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, dir, input],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000
      }
    )
    expect(child.status, child.stderr).toBe(0)
    const got: number[] = JSON.parse(child.stdout.trim().split('\n').at(-1)!)
    const want = expected.flatMap((img) => Array.from(img.data))
    expect(got).toHaveLength(want.length)
    // Same weights, possibly another backend: at most one level of rounding apart.
    expect(Math.max(...got.map((g, i) => Math.abs(g - want[i])))).toBeLessThanOrEqual(1)

    expect(studio.store.artifacts.exports(runs.conv).some((e) => e.kind === 'model' && e.file === dir)).toBe(
      true
    )
    writeFileSync(join(home, 'a-file'), '')
    await expect(exportModel(studio, { runId: runs.conv, out: join(home, 'a-file') })).rejects.toThrow(
      /is a file/
    )
  })

  it('exports a VAE encoder with its two heads, mean and log-variance', async () => {
    const dir = join(home, 'exported-vae')
    await exportModel(studio, { runId: runs.vae, out: dir })
    const encoder = await tf.loadLayersModel(fileLoader(join(dir, 'encoder')))
    const out = encoder.predict(tf.zeros([1, SIZE, SIZE, 1])) as tf.Tensor[]
    expect(out.map((t) => t.shape)).toEqual([
      [1, 2],
      [1, 2]
    ])
    tf.dispose([...out])
    encoder.dispose()
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).encoder).toMatch(/mean, logVariance/)
  })
})
