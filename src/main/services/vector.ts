import { stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Run } from '../../shared/contract/domain'
import type {
  AttributeVector,
  VectorComputeInput,
  VectorExportInput,
  VectorExportResult,
  VectorFrame,
  VectorFrameInput
} from '../../shared/contract/vector'
import { bytesPerImage, readSlots } from '../imaging/cache'
import type { Preprocessing } from '../imaging/decode'
import type { Code } from '../exports/interp'
import { decodeCodes, encodeImages } from '../exports/model-ops'
import { scaleImage } from '../exports/raw-image'
import { pngDataUrl, writeAnimation } from '../exports/write'
import { applyVector, attributeVector, norm, strengthSteps } from '../latent-ops'
import type { Autoencoder } from '../ml/types'
import { decodeForModel } from './datasets'
import { pixelFile } from './datasets-import'
import { notFound, StudioError } from './errors'
import type { Studio } from './studio'
import { loadRunModel } from './training'

type ImageRef = number | string

/** The run whose model the vector view uses, loaded once; codes of the images it has seen are remembered. */
interface Loaded {
  run: Run
  sha256: string
  model: Autoencoder
  prep: Preprocessing
  codes: Map<string, Code>
  users: number
  retired: boolean
}

/** Codes remembered per run: a slider drag re-uses every code, only the decode runs again. */
const MAX_CODES = 4096

const loaded = new WeakMap<Studio, Promise<Loaded>>()

function retire(entry: Loaded): void {
  entry.retired = true
  if (entry.users === 0) entry.model.dispose()
}

/** The run's model from its best checkpoint (else its last), kept while the view stays on that run. */
async function open(studio: Studio, runId: number): Promise<Loaded> {
  const run = studio.store.runs.get(runId)
  if (!run) throw notFound(`Run ${runId}`)
  const checkpoint =
    studio.store.artifacts.checkpoint(runId, 'best') ?? studio.store.artifacts.checkpoint(runId, 'last')
  if (!checkpoint)
    throw new StudioError(
      'unavailable',
      `Run ${runId} has no trained model yet: it needs at least one finished epoch (status: ${run.status}).`
    )
  const cached = loaded.get(studio)
  if (cached) {
    const entry = await cached.catch(() => undefined)
    if (entry && !entry.retired && entry.run.id === runId && entry.sha256 === checkpoint.sha256) return entry
    if (entry && !entry.retired) retire(entry)
  }
  const dataset = run.datasetId === null ? undefined : studio.store.datasets.get(run.datasetId)
  const loading = loadRunModel(studio, runId, checkpoint.kind).then(({ model }): Loaded => ({
    run,
    sha256: checkpoint.sha256,
    model,
    prep: { size: run.config.size, channels: run.config.channels, fit: dataset?.fit ?? 'cover' },
    codes: new Map(),
    users: 0,
    retired: false
  }))
  loaded.set(studio, loading)
  loading.catch(() => loaded.get(studio) === loading && loaded.delete(studio))
  return loading
}

async function withModel<T>(studio: Studio, runId: number, fn: (l: Loaded) => Promise<T>): Promise<T> {
  const l = await open(studio, runId)
  l.users++
  try {
    return await fn(l)
  } finally {
    l.users--
    if (l.retired && l.users === 0) l.model.dispose()
  }
}

/** Frees the model the vector view loaded (tests between cases, the app on quit). */
export async function releaseVectorModel(studio: Studio): Promise<void> {
  const p = loaded.get(studio)
  loaded.delete(studio)
  await p?.then(retire, () => {})
}

/** One image's pixels as the run's model sees them: from the dataset's cache when it matches, else decoded. */
async function pixelsOf(studio: Studio, l: Loaded, ref: ImageRef): Promise<Uint8Array> {
  if (typeof ref === 'string') return decodeForModel(resolve(ref), l.prep)
  const image = studio.store.images.get(ref)
  if (!image) throw notFound(`Image ${ref}`)
  const d = studio.store.datasets.get(image.datasetId)
  if (!d) throw notFound(`The dataset of image ${ref}`)
  if (image.slot !== null && d.size === l.prep.size && d.channels === l.prep.channels && d.fit === l.prep.fit)
    return readSlots(pixelFile(studio, d, studio.store.images.images(d.id)), [image.slot], bytesPerImage(d))
  return decodeForModel(join(d.source, image.relPath), l.prep)
}

/** Codes of the images, encoded in one batch for those not seen before (files keyed by path, size, mtime). */
async function codesOf(studio: Studio, l: Loaded, refs: readonly ImageRef[]): Promise<Code[]> {
  const keys: string[] = []
  for (const ref of refs) {
    if (typeof ref === 'number') keys.push(`image:${ref}`)
    else {
      const s = await stat(resolve(ref)).catch(() => null)
      if (!s) throw notFound(resolve(ref))
      if (!s.isFile()) throw new StudioError('validation', `${resolve(ref)} is a folder; give image files.`)
      keys.push(`file:${resolve(ref)}:${s.size}:${s.mtimeMs}`)
    }
  }
  const missing = [...new Set(keys.filter((k) => !l.codes.has(k)))]
  if (missing.length > 0) {
    const per = bytesPerImage(l.prep)
    const pixels = new Uint8Array(missing.length * per)
    for (const [i, key] of missing.entries())
      pixels.set(await pixelsOf(studio, l, refs[keys.indexOf(key)]), i * per)
    const codes = await encodeImages(l.model, pixels, missing.length)
    missing.forEach((key, i) => {
      if (l.codes.size >= MAX_CODES) l.codes.delete(l.codes.keys().next().value!)
      l.codes.set(key, codes[i])
    })
  }
  return keys.map((k) => l.codes.get(k)!)
}

async function vectorOf(studio: Studio, l: Loaded, input: VectorComputeInput): Promise<Code> {
  const withCodes = await codesOf(studio, l, input.withImages)
  const withoutCodes = await codesOf(studio, l, input.withoutImages)
  return attributeVector(withCodes, withoutCodes)
}

/** The attribute vector: mean code of the images with the trait minus the mean code of those without. */
export async function computeVector(studio: Studio, input: VectorComputeInput): Promise<AttributeVector> {
  return withModel(studio, input.runId, async (l) => {
    const vector = await vectorOf(studio, l, input)
    return {
      runId: input.runId,
      vector: Array.from(vector),
      dimensions: vector.length,
      norm: norm(vector),
      withCount: input.withImages.length,
      withoutCount: input.withoutImages.length
    }
  })
}

/** The target decoded from its code plus strength × the vector (strength 0 is its plain reconstruction). */
export async function vectorFrame(studio: Studio, input: VectorFrameInput): Promise<VectorFrame> {
  return withModel(studio, input.runId, async (l) => {
    const vector = await vectorOf(studio, l, input)
    const [target] = await codesOf(studio, l, [input.target])
    const [image] = await decodeCodes(l.model, [applyVector(target, vector, input.strength)])
    const out = input.size ? await scaleImage(image, input.size) : image
    return { dataUrl: await pngDataUrl(out), width: out.width, height: out.height, strength: input.strength }
  })
}

/** Writes the target at strengths from 0 to `strength` as an animation, and records the export. */
export async function vectorExport(studio: Studio, input: VectorExportInput): Promise<VectorExportResult> {
  const file = resolve(input.out)
  const strengths = strengthSteps(input.strength, input.frames)
  const { frames, vector } = await withModel(studio, input.runId, async (l) => {
    const vector = await vectorOf(studio, l, input)
    const [target] = await codesOf(studio, l, [input.target])
    const decoded = await decodeCodes(
      l.model,
      strengths.map((s) => applyVector(target, vector, s))
    )
    return { frames: await Promise.all(decoded.map((img) => scaleImage(img, input.size))), vector }
  })
  const written = await writeAnimation(frames, file, { delay: input.delay, loop: input.loop })
  const delay = written.format === 'gif' ? Math.round(input.delay / 10) * 10 : input.delay
  const exportId = studio.store.artifacts.addExport(input.runId, 'vector', file, {
    withImages: input.withImages,
    withoutImages: input.withoutImages,
    target: input.target,
    strengths,
    size: input.size,
    delay
  })
  return {
    exportId,
    file,
    format: written.format,
    frames: written.frames,
    width: written.width,
    height: written.height,
    delay,
    dimensions: vector.length,
    norm: norm(vector),
    strengths
  }
}
