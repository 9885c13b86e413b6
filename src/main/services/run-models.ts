import { stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Checkpoint, Run } from '../../shared/contract/domain'
import { bytesPerImage, readSlots } from '../imaging/cache'
import type { Preprocessing } from '../imaging/decode'
import type { Code } from '../exports/interp'
import { encodeImages } from '../exports/model-ops'
import type { Autoencoder } from '../ml/types'
import { decodeForModel } from './datasets'
import { pixelFile } from './datasets-import'
import { notFound, StudioError } from './errors'
import type { Studio } from './studio'
import { loadRunModel } from './training'

// Models of trained runs kept in memory for the viewers (morph, vectors, grids), with the codes of images they
// have already encoded, so a slider drag only decodes.

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

/** The checkpoint exports use: the best one (lowest validation loss), else the last. */
export function exportCheckpoint(studio: Studio, runId: number): { run: Run; checkpoint: Checkpoint } {
  const run = studio.store.runs.get(runId)
  if (!run) throw notFound(`Run ${runId}`)
  const checkpoint =
    studio.store.artifacts.checkpoint(runId, 'best') ?? studio.store.artifacts.checkpoint(runId, 'last')
  if (!checkpoint)
    throw new StudioError(
      'unavailable',
      `Run ${runId} has no trained model yet: it needs at least one finished epoch (status: ${run.status}).`
    )
  return { run, checkpoint }
}

/** How the run's images were preprocessed: its dataset's settings, or the config's when the dataset is gone. */
export function runPreprocessing(studio: Studio, run: Run): Preprocessing {
  const d = run.datasetId === null ? undefined : studio.store.datasets.get(run.datasetId)
  return { size: run.config.size, channels: run.config.channels, fit: d?.fit ?? 'cover' }
}

/** Stops keeping a model: disposed now, or when the calls still using it end. */
function retire(entry: LoadedRun): void {
  entry.retired = true
  if (entry.users === 0) entry.model.dispose()
}

/**
 * The run's model, loaded once and reused while its checkpoint is unchanged (a run still training gets its newer
 * weights on the next call). Loading is shared by concurrent callers.
 */
export async function openRun(studio: Studio, runId: number): Promise<LoadedRun> {
  const { checkpoint } = exportCheckpoint(studio, runId)
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

/** Runs `fn` with the run's loaded model, which is not disposed while `fn` uses it. */
export async function withRun<T>(
  studio: Studio,
  runId: number,
  fn: (lr: LoadedRun) => Promise<T>
): Promise<T> {
  const lr = await openRun(studio, runId)
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

/** The pixels of one image, preprocessed as the run's dataset was. */
async function imagePixels(studio: Studio, lr: LoadedRun, ref: ImageRef): Promise<Uint8Array> {
  if (typeof ref === 'string') return decodeForModel(resolve(ref), lr.prep)
  const image = studio.store.images.get(ref)
  if (!image) throw notFound(`Image ${ref}`)
  const d = studio.store.datasets.get(image.datasetId)
  if (!d) throw notFound(`The dataset of image ${ref}`)
  // Same preprocessing as the run: read it from the dataset's pixel cache; otherwise decode the original again.
  if (
    image.slot !== null &&
    d.size === lr.prep.size &&
    d.channels === lr.prep.channels &&
    d.fit === lr.prep.fit
  )
    return readSlots(pixelFile(studio, d, studio.store.images.images(d.id)), [image.slot], bytesPerImage(d))
  return decodeForModel(join(d.source, image.relPath), lr.prep)
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
      pixels.set(await imagePixels(studio, l, refs[keys.indexOf(key)]), i * per)
    const codes = await encodeImages(l.model, pixels, missing.length)
    missing.forEach((key, i) => {
      if (l.codes.size >= MAX_CODES) l.codes.delete(l.codes.keys().next().value!)
      l.codes.set(key, codes[i])
    })
  }
  return keys.map((k) => l.codes.get(k)!)
}
