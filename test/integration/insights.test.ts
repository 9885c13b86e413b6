// The Insights services and commands on a tiny trained run: PCA against the autoencoder on the validation split,
// the eigenfaces PNG, and the compression table (code bits, 8-bit codes, source files, equal-quality JPEGs).
import * as tf from '@tensorflow/tfjs'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeCodes, encodeImages } from '../../src/engine/model-ops'
import { pixelsToTensor } from '../../src/engine/pixels'
import { mse8, quantiseCodes } from '../../src/main/insights/bits'
import { fitPca, pcaReconstructionMse } from '../../src/main/insights/pca-exact'
import { importFolder, loadTrainingData } from '../../src/main/services/datasets'
import { compressionReport, pcaBaseline } from '../../src/main/services/insights'
import { openStudio, type Studio } from '../../src/main/services/studio'
import { loadRunModel } from '../../src/main/services/run-models'
import { startTraining } from '../../src/main/services/training'
import { insightsCompressionSchema, insightsPcaSchema } from '../../src/shared/contract/insights'
import * as v from 'valibot'
import { aestudio } from '../helpers/cli'
import { makeSquareImages } from '../helpers/images'

const SIZE = 16
const LATENT = 4
let home: string
let studio: Studio
let datasetId: number
let runId: number

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'aestudio-insights-'))
  await makeSquareImages(join(home, 'images'), 24)
  studio = openStudio({ home })
  datasetId = (
    await importFolder(studio, { paths: [join(home, 'images')], size: SIZE, channels: 1, valFraction: 0.25 })
  ).datasetId
  const { run, finished } = startTraining(studio, {
    datasetId,
    config: { model: 'conv', size: SIZE, channels: 1, latent: LATENT, epochs: 4, batch: 8, lr: 0.01 }
  })
  const done = await finished
  expect(done.status, done.error ?? '').toBe('done')
  runId = run.id
})

afterAll(() => {
  studio.close()
  rmSync(home, { recursive: true, force: true })
})

const unit = (p: Uint8Array) => Float64Array.from(p, (x) => x / 255)

describe('PCA baseline', () => {
  it('fits on the training split, measures the validation split at k = latent, beside the autoencoder', async () => {
    const r = await pcaBaseline(studio, v.parse(insightsPcaSchema, { runId }))
    const data = await loadTrainingData(studio, datasetId)
    expect(r).toMatchObject({ runId, k: LATENT, latent: LATENT, split: 'val', count: data.valCount })
    expect(r.fitCount).toBe(data.trainCount)
    // The same numbers computed here from the pixels: PCA exactly, the autoencoder through its own model.
    const pca = fitPca(unit(data.train), data.trainCount, SIZE * SIZE)
    expect(r.pcaMse).toBeCloseTo(pcaReconstructionMse(pca, unit(data.val), data.valCount, LATENT), 12)
    const { model } = await loadRunModel(studio, runId)
    const x = pixelsToTensor(data.val, data.valCount, SIZE, 1)
    const ae = tf.tidy(() => tf.mean(tf.squaredDifference(model.decode(model.encode(x)), x)).dataSync()[0])
    x.dispose()
    model.dispose()
    expect(r.aeMse).toBeCloseTo(ae, 6)
    expect(r.pcaPsnr).toBeCloseTo(-10 * Math.log10(r.pcaMse), 9)
    expect(r.explainedVariance).toBeGreaterThan(0)
    expect(r.explainedVariance).toBeLessThanOrEqual(1)
    // The components drawn are the strongest, in order.
    expect(r.componentVariance.length).toBe(8)
    expect([...r.componentVariance].sort((a, b) => b - a)).toEqual(r.componentVariance)
    expect(r.eigenfaces.dataUrl).toMatch(/^data:image\/png;base64,/)
  })

  it('keeps more components on request, with lower error, and writes the eigenfaces grid as a PNG', async () => {
    const few = await pcaBaseline(studio, v.parse(insightsPcaSchema, { runId, components: 2 }))
    const out = join(home, 'out', 'eigenfaces.png')
    const many = await pcaBaseline(
      studio,
      v.parse(insightsPcaSchema, { runId, components: 10, shown: 3, out })
    )
    expect(many.pcaMse).toBeLessThan(few.pcaMse)
    expect(many.explainedVariance).toBeGreaterThan(few.explainedVariance)
    // Mean face + 3 components: a 2×2 grid of 64-px cells (16-px images enlarged 4×) with 2-px gaps.
    const meta = await sharp(out).metadata()
    expect(many.eigenfaces).toMatchObject({ file: out, columns: 2, cell: 64, width: 2 * 64 + 3 * 2 })
    expect([meta.width, meta.height, meta.format]).toEqual([134, 134, 'png'])
    // The first cell is the mean face: the mean of the training pixels, enlarged.
    const data = await loadTrainingData(studio, datasetId)
    const { data: px, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true })
    let sum = 0
    for (let i = 0; i < data.trainCount * SIZE * SIZE; i++) sum += data.train[i]
    const meanAt00 = Array.from({ length: data.trainCount }, (_, n) => data.train[n * SIZE * SIZE]).reduce(
      (s, p) => s + p,
      0
    )
    expect(px[(2 * info.width + 2) * info.channels]).toBe(Math.round(meanAt00 / data.trainCount))
    expect(sum).toBeGreaterThan(0)
  })

  it('refuses more components than the training images allow, in plain words', async () => {
    const { trainCount } = await loadTrainingData(studio, datasetId)
    // n centred images span n − 1 directions.
    await expect(pcaBaseline(studio, v.parse(insightsPcaSchema, { runId, components: 500 }))).rejects.toThrow(
      `PCA on ${trainCount} training images has ${trainCount - 1} components at most`
    )
  })
})

describe('compression view', () => {
  it('counts code bits, measures 8-bit codes, the source files and equal-quality JPEGs', async () => {
    const r = await compressionReport(studio, v.parse(insightsCompressionSchema, { runId }))
    const data = await loadTrainingData(studio, datasetId)
    expect(r).toMatchObject({
      runId,
      latent: LATENT,
      count: data.valCount,
      split: 'val',
      size: SIZE,
      channels: 1
    })
    expect(r.float32.bits).toBe(LATENT * 32)
    expect(r.quantised8.bits).toBe(LATENT * 8)
    expect(r.quantised8.rangeBits).toBe(LATENT * 64)
    expect(r.pixels).toMatchObject({ bits: SIZE * SIZE * 8, bytes: SIZE * SIZE })
    // Source bytes: the files on disk, as the import recorded them.
    const images = studio.store.images.images(datasetId)
    const valFiles = images
      .filter((i) => data.valImageIds.includes(i.id))
      .map((i) => join(home, 'images', i.relPath))
    const onDisk = valFiles.reduce((s, f) => s + statSync(f).size, 0) / valFiles.length
    expect(r.source.bytes).toBeCloseTo(onDisk, 9)
    expect(r.source.bits).toBeCloseTo(onDisk * 8, 9)
    // The 8-bit codes' error, recomputed through the model.
    const { model } = await loadRunModel(studio, runId)
    const codes = await encodeImages(model, data.val, data.valCount)
    const recon = await decodeCodes(model, codes)
    const deq = await decodeCodes(model, quantiseCodes(codes, 8).codes)
    model.dispose()
    const per = SIZE * SIZE
    const err = (imgs: { data: Uint8Array }[]) =>
      imgs.reduce((s, img, i) => s + mse8(data.val.subarray(i * per, (i + 1) * per), img.data), 0) /
      imgs.length
    expect(r.float32.mse).toBeCloseTo(err(recon), 12)
    expect(r.quantised8.mse).toBeCloseTo(err(deq), 12)
    // Per image the JPEG is at least as faithful as the autoencoder, so on average too (PSNR of the mean MSE).
    expect(r.jpeg.missed).toBe(0)
    expect(r.jpeg.mse!).toBeLessThanOrEqual(r.float32.mse! * 1.000001)
    expect(r.jpeg.meanQuality).toBeGreaterThanOrEqual(1)
    expect(r.jpeg.meanQuality).toBeLessThanOrEqual(100)
    expect(r.jpeg.bits).toBe(r.jpeg.bytes * 8)
    expect(r.jpeg.bytes).toBeGreaterThan(100) // a JPEG's headers alone are a few hundred bytes
  })
})

describe('aestudio pca / compression', () => {
  it('prints JSON for scripts and a plain table otherwise', () => {
    const pca = aestudio(['pca', String(runId), '--components', '3', '--json'], home)
    expect(pca.status, pca.stderr).toBe(0)
    const r = JSON.parse(pca.stdout)
    expect(r).toMatchObject({ k: 3, latent: LATENT, split: 'val' })
    expect(r.eigenfaces.dataUrl).toBeUndefined()
    const comp = aestudio(['compression', String(runId), '--limit', '3'], home)
    expect(comp.status, comp.stderr).toBe(0)
    expect(comp.stdout).toMatch(/3 validation images, 16×16×1/)
    expect(comp.stdout).toMatch(/code, 4 × float32\s+128 bits/)
    expect(comp.stdout).toMatch(/code, 4 × 8 bit\s+32 bits/)
  })

  it('says what is wrong, with exit codes', () => {
    const missing = aestudio(['pca', '999', '--json'], home)
    expect(missing.status).toBe(3)
    expect(missing.stderr).toMatch(/Run 999 was not found/)
    const bad = aestudio(['compression', String(runId), '--limit', '0'], home)
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/--limit: must be at least 1/)
  })
})
