import * as tf from '@tensorflow/tfjs'
import { stat, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type {
  ExportProgress,
  GridResult,
  LatentMap,
  LatentMapInput,
  ManifoldInput,
  ModelExportInput,
  ModelExportResult,
  MorphExportInput,
  MorphExportResult,
  MorphFrame,
  MorphFrameInput,
  ReconGridInput,
  SamplesRandomInput
} from '../../shared/contract/viewers'
import type { Run } from '../../shared/contract/domain'
import { chunk, squareColumns } from '../exports/grid'
import { enlargeCells, gridPng } from '../exports/grid-file'
import { pointOnPath } from '../../engine/latent/interp'
import { observedAxis, planeCodes, priorAxis } from '../../engine/latent/plane'
import { decodeCodes, encodeImages, reconstructTensor, tensorToImages } from '../../engine/model-ops'
import { pixelsToTensor } from '../../engine/pixels'
import { morphFrames } from '../exports/morph-frames'
import { pca2 } from '../../engine/latent/pca-map'
import { scaleImage, type RawImage } from '../exports/raw-image'
import { fileSaver } from '../exports/tfjs-files'
import { pngDataUrl, writeAnimation } from '../exports/write'
import { samplePrior } from '../../engine/models/index'
import { corrupt } from '../../engine/noise'
import { datasetImages, loadTrainingData, measuredSplit, pickImages } from './datasets'
import { StudioError } from '../../shared/errors'
import type { Studio } from './studio'
import { modelCheckpoint } from './run-files'
import { codesOf, withRun, type LoadedRun } from './run-models'

/** One frame of the morph viewer: the decoded code at position t of the path through the keyframes. */
export async function morphFrame(studio: Studio, input: MorphFrameInput): Promise<MorphFrame> {
  return withRun(studio, input.runId, async (lr) => {
    const keys = await codesOf(studio, lr, input.keyframes)
    const [image] = await decodeCodes(lr.model, [pointOnPath(keys, input.t, input.interp)])
    const out = input.size ? await scaleImage(image, input.size) : image
    return { dataUrl: await pngDataUrl(out), width: out.width, height: out.height, t: input.t }
  })
}

export interface ExportHooks {
  onProgress?(p: ExportProgress): void
}

/** At most this often a progress event; the last one (done = total) always goes out. */
const PROGRESS_MS = 100

function throttled(fn: ((p: ExportProgress) => void) | undefined) {
  let last = 0
  return (p: ExportProgress) => {
    const now = Date.now()
    if (!fn || (now - last < PROGRESS_MS && p.done < p.total)) return
    last = now
    fn(p)
  }
}

/** Writes a morph through the keyframes as an animated GIF / WebP or a PNG strip, and records the export. */
export async function morphExport(
  studio: Studio,
  input: MorphExportInput,
  hooks: ExportHooks = {}
): Promise<MorphExportResult> {
  const started = Date.now()
  const file = resolve(input.out)
  // Frames decoded and frames scaled, plus one for writing the file, so 100% means the file is there.
  const total = input.frames * 2 + 1
  const progress = throttled(hooks.onProgress)
  const report = (done: number) => progress({ runId: input.runId, kind: 'morph', done, total, file })
  const { frames, checkpoint } = await withRun(studio, input.runId, async (lr) => {
    const keys = await codesOf(studio, lr, input.keyframes)
    const frames = await morphFrames(lr.model, keys, {
      frames: input.frames,
      size: input.size,
      interp: input.interp,
      pingpong: input.pingpong,
      onProgress: report
    })
    return { frames, checkpoint: lr.checkpoint }
  })
  const written = await writeAnimation(frames, file, { delay: input.delay, loop: input.loop })
  report(total)
  const exportId = studio.store.artifacts.addExport(input.runId, written.format, file, {
    keyframes: input.keyframes,
    frames: written.frames,
    size: input.size,
    delay: written.delay,
    loop: input.loop,
    interp: input.interp,
    pingpong: input.pingpong,
    checkpoint: { kind: checkpoint.kind, epoch: checkpoint.epoch }
  })
  return { exportId, ...written, loop: input.loop, seconds: (Date.now() - started) / 1000 }
}

interface GridSpec {
  runId: number
  /** The export kind recorded in the store. */
  kind: string
  rowLabels: string[]
  rows: RawImage[][]
  out: string | undefined
  params: Record<string, unknown>
}

/** Enlarges the cells, lays them out, and returns a data URL or writes (and records) the PNG. */
async function finishGrid(studio: Studio, g: GridSpec): Promise<GridResult> {
  const { rows, cell } = await enlargeCells(g.rows)
  const grid = await gridPng(rows, cell, g.out, (file) =>
    studio.store.artifacts.addExport(g.runId, g.kind, file, g.params)
  )
  return { rows: g.rowLabels, ...grid }
}

/**
 * Up to `limit` images of the run's validation split (its training split when it has none). With `spread`, they
 * are evenly spaced through the split rather than the first ones, so a folder sorted by kind shows every kind.
 */
async function splitImages(studio: Studio, run: Run, limit: number, spread = false) {
  if (run.datasetId === null)
    throw new StudioError('failed', `The dataset of run ${run.id} was deleted, so it has no images to use.`)
  const data = await loadTrainingData(studio, run.datasetId)
  const picked = pickImages(data, measuredSplit(data), limit, spread)
  if (picked.count === 0) throw new StudioError('failed', `The dataset of run ${run.id} has no images left.`)
  return { ...picked, datasetId: run.datasetId, size: data.size, channels: data.channels }
}

/**
 * `count` validation images, evenly spaced through the split, above their reconstructions; denoising runs show
 * the corrupted inputs between them, and reconstruct from those.
 */
export async function reconGrid(studio: Studio, input: ReconGridInput): Promise<GridResult> {
  return withRun(studio, input.runId, async ({ run, model }) => {
    const images = await splitImages(studio, run, input.count, true)
    const denoising = run.config.model === 'denoising'
    const clean = pixelsToTensor(images.pixels, images.count, images.size, images.channels)
    // The same fixed corruption the training loop validates with, so the grid matches the run's previews.
    const seen = denoising ? corrupt(clean, run.config.noise, run.config.seed) : clean
    try {
      const originals = await tensorToImages(clean)
      const recons = await reconstructTensor(model, seen)
      const grid = await finishGrid(studio, {
        runId: run.id,
        kind: 'recon',
        rowLabels: denoising ? ['original', 'noisy', 'reconstruction'] : ['original', 'reconstruction'],
        rows: denoising ? [originals, await tensorToImages(seen), recons] : [originals, recons],
        out: input.out,
        params: { count: images.count, split: images.split }
      })
      return { ...grid, imageIds: images.imageIds }
    } finally {
      tf.dispose([clean, seen])
    }
  })
}

/** New images from a VAE: codes drawn from its prior N(0, I), decoded, laid out in a near-square grid. */
export async function samplesRandom(studio: Studio, input: SamplesRandomInput): Promise<GridResult> {
  const { run } = modelCheckpoint(studio, input.runId)
  if (run.model !== 'vae')
    throw new StudioError(
      'validation',
      `Run ${run.id} is a ${run.model} model, and this model has no sampler: only variational (vae) runs can ` +
        'draw new images.'
    )
  return withRun(studio, input.runId, async ({ model }) => {
    const images = samplePrior(model, input.count, input.seed)
    try {
      const rows = chunk(await tensorToImages(images), squareColumns(input.count))
      return await finishGrid(studio, {
        runId: run.id,
        kind: 'samples',
        rowLabels: rows.map(() => 'sample'),
        rows,
        out: input.out,
        params: { count: input.count, seed: input.seed }
      })
    } finally {
      images.dispose()
    }
  })
}

/**
 * Decodes a steps×steps grid over a 2-D latent plane: for a VAE, evenly spaced quantiles of its prior; for other
 * models, the 5th–95th percentile of the validation codes on each axis (they have no prior to span).
 */
export async function manifoldGrid(studio: Studio, input: ManifoldInput): Promise<GridResult> {
  const { run } = modelCheckpoint(studio, input.runId)
  if (run.config.latent !== 2)
    throw new StudioError(
      'validation',
      `A manifold needs a 2-D latent space; run ${run.id} has ${run.config.latent} dimensions ` +
        '(train one with --latent 2).'
    )
  return withRun(studio, input.runId, async (lr) => {
    let xs = priorAxis(input.steps)
    let ys = xs
    if (run.model !== 'vae') {
      const { codes } = await splitCodes(studio, lr, 2000)
      xs = observedAxis(
        codes.map((c) => c[0]),
        input.steps
      )
      ys = observedAxis(
        codes.map((c) => c[1]),
        input.steps
      )
    }
    const rows = chunk(await decodeCodes(lr.model, planeCodes(xs, ys)), input.steps)
    return finishGrid(studio, {
      runId: run.id,
      kind: 'manifold',
      rowLabels: rows.map(() => 'manifold'),
      rows,
      out: input.out,
      params: { steps: input.steps, x: [xs[0], xs.at(-1)], y: [ys[0], ys.at(-1)] }
    })
  })
}

/** Codes of up to `limit` validation images, with their ids. */
async function splitCodes(studio: Studio, lr: LoadedRun, limit: number) {
  const images = await splitImages(studio, lr.run, limit)
  return { ...images, codes: await encodeImages(lr.model, images.pixels, images.count) }
}

/** The validation images' codes projected on their first two principal components, for the 2-D map. */
export async function latentMap(studio: Studio, input: LatentMapInput): Promise<LatentMap> {
  return withRun(studio, input.runId, async (lr) => {
    const { datasetId, codes, imageIds } = await splitCodes(studio, lr, input.limit)
    const { points, explained } = pca2(codes)
    const { items } = datasetImages(studio, datasetId, { offset: 0, limit: Number.MAX_SAFE_INTEGER })
    const thumbs = new Map(items.map((i) => [i.id, i.thumb]))
    return {
      runId: lr.run.id,
      latent: lr.run.config.latent,
      points: points.map(([x, y], i) => ({
        imageId: imageIds[i],
        x,
        y,
        thumb: thumbs.get(imageIds[i]) ?? null
      })),
      explained
    }
  })
}

/**
 * Writes the run's encoder and decoder in TensorFlow.js layers format (`encoder/model.json`,
 * `decoder/model.json`, each with `weights.bin`) and `config.json` (the run's config and how to feed the model),
 * loadable with `tf.loadLayersModel` in the browser or Node.
 */
export async function exportModel(studio: Studio, input: ModelExportInput): Promise<ModelExportResult> {
  const dir = resolve(input.out)
  const existing = await stat(dir).catch(() => null)
  if (existing && !existing.isDirectory())
    throw new StudioError('validation', `${dir} is a file; give a folder to write the model into.`)
  const { run, checkpoint } = await withRun(studio, input.runId, async ({ run, model, checkpoint, prep }) => {
    await model.encoder.save(fileSaver(join(dir, 'encoder')))
    await model.decoder.save(fileSaver(join(dir, 'decoder')))
    const config = {
      format: 'autoencoder-studio/1',
      runId: run.id,
      model: run.model,
      config: run.config,
      checkpoint: { kind: checkpoint.kind, epoch: checkpoint.epoch, sha256: checkpoint.sha256 },
      input: {
        shape: [prep.size, prep.size, prep.channels],
        fit: prep.fit,
        range: [0, 1],
        layout: 'NHWC float32: pixel / 255'
      },
      encoder:
        run.model === 'vae'
          ? 'outputs [mean, logVariance], each [batch, latent]; use the mean as the code'
          : 'outputs the code, [batch, latent]',
      decoder: 'takes [batch, latent] codes, outputs NHWC images in [0, 1]',
      exportedAt: new Date().toISOString()
    }
    await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n')
    return { run, checkpoint }
  })
  const files = [
    'encoder/model.json',
    'encoder/weights.bin',
    'decoder/model.json',
    'decoder/weights.bin',
    'config.json'
  ]
  const exportId = studio.store.artifacts.addExport(run.id, 'model', dir, {
    checkpoint: { kind: checkpoint.kind, epoch: checkpoint.epoch },
    files
  })
  return { exportId, dir, files }
}
