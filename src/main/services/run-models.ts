import { stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Checkpoint, Run } from '../../shared/contract/domain'
import { notFound, StudioError } from '../../shared/errors'
import type { Code } from '../../engine/latent/interp'
import { encodeImages } from '../../engine/model-ops'
import type { Autoencoder } from '../../engine/autoencoder'
import { bytesPerImage, readSlots } from '../imaging/cache'
import type { Preprocessing } from '../imaging/decode'
import { decodeForModel } from './datasets'
import { largestFace, recutFace, withFaceModelsHere } from './face-files'
import { pixelFile } from './datasets-import'
import { modelCheckpoint, readModelCheckpoint } from './run-files'
import type { Studio } from './studio'

// Every service that uses a trained model (viewers, vectors, insights, sweeps, restore, eval) gets it here, under
// one rule: loaded once per checkpoint, kept while in use, the least recently used retired, disposed when the
// last caller is done. Viewers also keep the codes of images they encoded, so a slider drag only decodes.

/** An image the user picked: a dataset image by id, or any image file by path. */
export type ImageRef = number | string

/** A run's model held in memory for the viewers, with the codes of keyframes already encoded. */
export interface LoadedRun {
  run: Run
  model: Autoencoder
  checkpoint: Checkpoint
  prep: Preprocessing
  codes: Map<string, Code>
  /** Calls using the model right now; a retired model is disposed when the last one ends. */
  users: number
  retired: boolean
}

/** Runs kept loaded at once (the morph viewer switches between a few); the least recently used goes first. */
const MAX_LOADED = 2
/** Codes remembered per run: a slider drag re-uses every code, only the decode runs again. */
const MAX_CODES = 4096

const loaded = new WeakMap<Studio, Map<number, Promise<LoadedRun>>>()

/**
 * The run's model rebuilt from its checkpoint's config with the checkpoint's weights, on the best available
 * backend. Not cached: the caller disposes it (`withRun` is what services use).
 */
export async function loadRunModel(
  studio: Studio,
  runId: number,
  which: 'best' | 'last' = 'best'
): Promise<{ model: Autoencoder; run: Run; checkpoint: Checkpoint }> {
  const { run, checkpoint } = modelCheckpoint(studio, runId, which)
  const [{ initBackend }, { buildModel }, { restoreWeights }] = await Promise.all([
    import('../backends/activate'),
    import('../../engine/models/index'),
    import('../../engine/checkpoint')
  ])
  const ckpt = readModelCheckpoint(studio, checkpoint)
  await initBackend('auto')
  const model = buildModel(ckpt.config)
  try {
    restoreWeights(model, ckpt)
  } catch (err) {
    model.dispose()
    throw err
  }
  return { model, run, checkpoint }
}

/** How the run's images were preprocessed: its dataset's settings, or the config's when the dataset is gone. */
export function runPreprocessing(studio: Studio, run: Run): Preprocessing {
  const d = run.datasetId === null ? undefined : studio.store.datasets.get(run.datasetId)
  return {
    size: run.config.size,
    channels: run.config.channels,
    fit: d?.fit ?? 'cover',
    faces: d?.faces ?? null
  }
}

/** Whether a dataset's pixel cache holds images exactly as `prep` makes them. */
const samePreprocessing = (d: Preprocessing, prep: Preprocessing) =>
  d.size === prep.size &&
  d.channels === prep.channels &&
  d.fit === prep.fit &&
  (d.fit !== 'faces' || d.faces?.margin === prep.faces?.margin)

/** A file as `prep` makes it: decoded and resized, or for a face run its largest face found and aligned. */
const filePixels = async (file: string, prep: Preprocessing) =>
  prep.fit === 'faces'
    ? withFaceModelsHere((models) => largestFace(models, file, prep))
    : decodeForModel(file, prep)

/** Stops keeping a model: disposed now, or when the calls still using it end. */
function retire(entry: LoadedRun): void {
  entry.retired = true
  if (entry.users === 0) entry.model.dispose()
}

/**
 * The run's model, loaded once and reused while its checkpoint is unchanged (a run still training gets its newer
 * weights on the next call). Loading is shared by concurrent callers.
 */
async function openRun(studio: Studio, runId: number, which: 'best' | 'last'): Promise<LoadedRun> {
  const { checkpoint } = modelCheckpoint(studio, runId, which)
  let runs = loaded.get(studio)
  if (!runs) loaded.set(studio, (runs = new Map()))
  const cached = runs.get(runId)
  if (cached) {
    const entry = await cached.catch(() => undefined)
    if (entry && !entry.retired && entry.checkpoint.sha256 === checkpoint.sha256) {
      // Most recently used last, so eviction takes the least recently used.
      runs.delete(runId)
      runs.set(runId, cached)
      return entry
    }
    if (runs.get(runId) === cached) runs.delete(runId)
    if (entry && !entry.retired) retire(entry)
  }
  const loading = loadRunModel(studio, runId, checkpoint.kind).then(({ model, run }): LoadedRun => ({
    run,
    model,
    checkpoint,
    prep: runPreprocessing(studio, run),
    codes: new Map(),
    users: 0,
    retired: false
  }))
  runs.set(runId, loading)
  loading.catch(() => runs.get(runId) === loading && runs.delete(runId))
  while (runs.size > MAX_LOADED) {
    const [oldId, old] = runs.entries().next().value!
    runs.delete(oldId)
    void old.then(retire, () => {})
  }
  return loading
}

/** Runs `fn` with the run's model (best checkpoint unless `last` is asked for), kept loaded while `fn` uses it. */
export async function withRun<T>(
  studio: Studio,
  runId: number,
  fn: (lr: LoadedRun) => Promise<T>,
  which: 'best' | 'last' = 'best'
): Promise<T> {
  const lr = await openRun(studio, runId, which)
  lr.users++
  try {
    return await fn(lr)
  } finally {
    lr.users--
    if (lr.retired && lr.users === 0) lr.model.dispose()
  }
}

/** Frees every model this studio's viewers loaded (the app on quit, tests between cases). */
export async function releaseModels(studio: Studio): Promise<void> {
  const runs = loaded.get(studio)
  if (!runs) return
  loaded.delete(studio)
  for (const p of runs.values()) await p.then(retire, () => {})
}

/** One image's pixels as a model expects them: from the dataset's cache when it matches `prep`, else decoded. */
export async function imagePixels(studio: Studio, ref: ImageRef, prep: Preprocessing): Promise<Uint8Array> {
  if (typeof ref === 'string') return filePixels(resolve(ref), prep)
  const image = studio.store.images.get(ref)
  if (!image) throw notFound(`Image ${ref}`)
  const d = studio.store.datasets.get(image.datasetId)
  if (!d) throw notFound(`The dataset of image ${ref}`)
  // Same preprocessing as the run: read it from the dataset's pixel cache; otherwise decode the original again.
  if (image.slot !== null && samePreprocessing(d, prep))
    return readSlots(pixelFile(studio, d, studio.store.images.images(d.id)), [image.slot], bytesPerImage(d))
  // A face image is its face wherever it goes: cut again from its photo by the eyes found at import.
  const face = d.fit === 'faces' ? studio.store.images.faces(d.id).get(image.id) : undefined
  if (face) return recutFace(join(d.source, face.source), face, { ...prep, faces: prep.faces ?? d.faces })
  return filePixels(join(d.source, image.relPath), prep)
}

/** Codes of the images, encoded in one batch for those not seen before (files keyed by path, size, mtime). */
export async function codesOf(studio: Studio, l: LoadedRun, refs: readonly ImageRef[]): Promise<Code[]> {
  const keys: string[] = []
  for (const ref of refs) {
    if (typeof ref === 'number') keys.push(`image:${ref}`)
    else {
      const s = await stat(resolve(ref)).catch(() => null)
      if (!s) throw new StudioError('not_found', `${resolve(ref)} does not exist.`)
      if (!s.isFile()) throw new StudioError('validation', `${resolve(ref)} is a folder; give image files.`)
      keys.push(`file:${resolve(ref)}:${s.size}:${s.mtimeMs}`)
    }
  }
  const missing = [...new Set(keys.filter((k) => !l.codes.has(k)))]
  if (missing.length > 0) {
    const per = bytesPerImage(l.prep)
    const pixels = new Uint8Array(missing.length * per)
    for (const [i, key] of missing.entries())
      pixels.set(await imagePixels(studio, refs[keys.indexOf(key)], l.prep), i * per)
    const codes = await encodeImages(l.model, pixels, missing.length)
    missing.forEach((key, i) => {
      if (l.codes.size >= MAX_CODES) l.codes.delete(l.codes.keys().next().value!)
      l.codes.set(key, codes[i])
    })
  }
  return keys.map((k) => l.codes.get(k)!)
}
