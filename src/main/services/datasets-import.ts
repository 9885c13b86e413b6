import { sha256 } from '../util/hash'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import type { FaceCounts, ImportProgress, ImportResult, SkippedFile } from '../../shared/contract/datasets'
import type { Dataset } from '../../shared/contract/domain'
import { bytesPerImage, pixelFileName, readSlots, thumbName } from '../imaging/cache'
import { writeFileAtomic } from '../util/atomic-write'
import { isAlive } from '../util/process'
import {
  checkFile,
  DecodeError,
  preprocess,
  thumbnail,
  type DecodeLimits,
  type Preprocessing
} from '../imaging/decode'
import { faceImageName, findFaces, type FaceModels } from '../imaging/faces/index'
import { faceModelsOnce, type FaceModelsOnce } from '../imaging/faces/open'
import { cancelled, defaultPoolWidth, runPool } from '../imaging/pool'
import { displayName, scan, type ScannedFile, type ScanResult } from '../imaging/scan'
import { SNIFF_BYTES } from '../imaging/sniff'
import { chooseValidation } from '../imaging/split'
import type { JobControl } from '../../shared/control'
import type { NewDataset } from '../store/repositories/datasets'
import type { ImageRow, NewImage, StoredFace } from '../store/repositories/images'
import type { Studio } from './studio'

export interface RunImportOptions {
  name?: string
  seed: number
  valFraction: number
  limits: DecodeLimits
  onProgress?(progress: ImportProgress): void
  control?: JobControl
  poolWidth?: number
  /** Opens the face models for a face import (tests count the loads); the backends' own otherwise. */
  openFaceModels?: () => Promise<FaceModels>
}

/**
 * Photos decoded at once for a face import: each is held at full resolution (up to 150 MB for a 50 MP photo)
 * while its faces are found, and the detector runs one photo at a time anyway.
 */
const FACE_POOL_WIDTH = 3

/** The packed pixel file that belongs to a dataset's current image rows (in slot order). */
export function pixelFile(
  studio: Studio,
  d: Pick<Dataset, 'id'> & Preprocessing,
  images: readonly ImageRow[]
) {
  return join(
    studio.paths.dataset(d.id),
    pixelFileName(
      d,
      images.map((i) => i.sha256 ?? '')
    )
  )
}

/** One scanned file on its way through the import. */
interface Entry {
  file: ScannedFile
  sha: string | null
  /** Set once the file is known to be unusable. */
  reason?: string
  format?: string | null
  width?: number | null
  height?: number | null
  duplicateOf?: Entry
  /** Face imports, a photo: the faces it gave, each under its own key (`${sha}-f${index}`). */
  crops?: Crop[]
  /** Face imports, once `expandFaces` made one entry per face: this image's face. */
  face?: StoredFace
}

/** One face of a photo, before it has a path: `face.source` is set when the photo's entry is expanded. */
interface Crop {
  key: string
  face: Omit<StoredFace, 'source'>
}

/** The key a face crop's pixels, thumbnail and row go by: the photo's content hash and the face's index. */
const cropKey = (sha: string, index: number) => `${sha}-f${index}`
const photoShaOf = (key: string) => key.slice(0, key.lastIndexOf('-f'))

const readReason = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'ENOENT') return 'disappeared during the import'
  if (code === 'EISDIR') return 'not an image'
  return `could not be read: ${(err as Error).message}`
}

/** Throttled progress: at most ten reports a second, and always the last one. */
function progressReporter(report: RunImportOptions['onProgress'], total: number) {
  const started = Date.now()
  let done = 0
  let last = 0
  return {
    step(file: string, faces?: number) {
      done++
      const now = Date.now()
      if (!report || (now - last < 100 && done < total)) return
      last = now
      const seconds = (now - started) / 1000
      const rate = seconds > 0 ? done / seconds : 0
      const payload: ImportProgress = {
        done,
        total,
        rate: Math.round(rate * 10) / 10,
        etaSeconds: rate > 0 ? Math.round((total - done) / rate) : null,
        file,
        ...(faces === undefined ? {} : { faces })
      }
      report(payload)
    },
    finish(faces?: number) {
      const seconds = (Date.now() - started) / 1000
      const rate = seconds > 0 ? Math.round((total / seconds) * 10) / 10 : 0
      report?.({ done: total, total, rate, etaSeconds: 0, ...(faces === undefined ? {} : { faces }) })
    }
  }
}

/** What an earlier import of the same source with the same settings left: its rows and its pixel file. */
interface PreviousImport {
  dataset: Dataset | undefined
  byPath: Map<string, ImageRow>
  /** Images whose pixels are in the old file, by content hash. */
  bySha: Map<string, ImageRow>
  images: ImageRow[]
  file: string
  /** Face imports: each photo's face rows (images and duplicates), by the photo's path... */
  photosByPath: Map<string, { row: ImageRow; face: StoredFace }[]>
  /** ...and its faces by the photo's content hash, when all of them are in the old pixel file. */
  cropsBySha: Map<string, Crop[]>
}

function previousImport(studio: Studio, source: string | null, prep: Preprocessing): PreviousImport {
  const { store } = studio
  const dataset = source ? store.datasets.find({ source, ...prep }) : undefined
  const rows = dataset ? store.images.all(dataset.id) : []
  const images = dataset ? store.images.images(dataset.id) : []
  const file = dataset ? pixelFile(studio, dataset, images) : ''
  const bySha = new Map<string, ImageRow>()
  if (dataset && existsSync(file))
    for (const i of images) if (i.sha256 && i.slot !== null) bySha.set(i.sha256, i)
  const faces =
    dataset && prep.fit === 'faces' ? store.images.faces(dataset.id) : new Map<number, StoredFace>()
  const photosByPath = new Map<string, { row: ImageRow; face: StoredFace }[]>()
  const cropsBySha = new Map<string, Crop[]>()
  for (const row of rows) {
    const face = faces.get(row.id)
    if (!face || !row.sha256) continue
    photosByPath.set(face.source, [...(photosByPath.get(face.source) ?? []), { row, face }])
    const sha = photoShaOf(row.sha256)
    const crops = cropsBySha.get(sha) ?? []
    if (!crops.some((c) => c.key === row.sha256)) crops.push({ key: row.sha256, face })
    cropsBySha.set(sha, crops)
  }
  // A photo is reusable only whole: every one of its faces still has its pixels.
  for (const [sha, crops] of cropsBySha) if (!crops.every((c) => bySha.has(c.key))) cropsBySha.delete(sha)
  return {
    dataset,
    byPath: new Map(rows.map((r) => [r.relPath, r])),
    bySha,
    images,
    file,
    photosByPath,
    cropsBySha
  }
}

/** A private folder the new pixel file and thumbnails are written to before the commit moves them in place. */
function openStaging(studio: Studio) {
  removeAbandonedStaging(mkdirp(studio.paths.datasets))
  const dir = mkdtempSync(join(studio.paths.datasets, `.import-${process.pid}-`))
  return { dir, thumbs: mkdirp(join(dir, 'thumbs')) }
}
type Staging = ReturnType<typeof openStaging>

/** What decoding one file's content gave: its pixels went to `fresh` and staging; this is the rest. */
type Outcome = Pick<Entry, 'reason' | 'format' | 'width' | 'height' | 'crops'>

/** Faces left out of the photos decoded this time, and faces made into images so far. */
interface FaceTally {
  images: number
  tooSmall: number
  profiles: number
}

/**
 * Step 1, over every file in a pool: a file unchanged since the last import (size and mtime) is taken as it
 * was; any other is read once, hashed, sniffed, and decoded unless its content is already in the old pixel file
 * or being decoded for another path. Fresh pixels and their thumbnails go to staging. A face import decodes a
 * photo into its aligned face crops instead, each under its own key; the face models open on the first photo
 * that needs decoding.
 */
async function identifyFiles(
  files: readonly ScannedFile[],
  previous: PreviousImport,
  staging: Staging,
  prep: Preprocessing,
  opts: RunImportOptions,
  progress: ReturnType<typeof progressReporter>,
  faceModels: FaceModelsOnce | undefined
) {
  const entries: Entry[] = files.map((file) => ({ file, sha: null }))
  const fresh = new Map<string, Uint8Array>()
  const outcome = new Map<string, Promise<Outcome>>()
  const tally: FaceTally = { images: 0, tooSmall: 0, profiles: 0 }
  const stage = async (key: string, pixels: Uint8Array) => {
    fresh.set(key, pixels)
    writeFileSync(join(staging.thumbs, thumbName(key)), await thumbnail(pixels, prep.size, prep.channels))
  }
  const decodePlain = async (sha: string, data: Buffer): Promise<Outcome> => {
    const d = await preprocess(data, prep, opts.limits)
    await stage(sha, d.pixels)
    return { format: d.format, width: d.width, height: d.height }
  }
  const decodeFaces = async (sha: string, data: Buffer): Promise<Outcome> => {
    const found = await findFaces(await faceModels!.get(), data, {
      size: prep.size,
      channels: prep.channels,
      perImage: prep.faces!.perImage,
      margin: prep.faces!.margin,
      limits: opts.limits
    })
    tally.tooSmall += found.tooSmall
    tally.profiles += found.profiles
    if (found.skipped) return { reason: found.skipped }
    const crops: Crop[] = []
    for (const { pixels, index, box, eyes, roll, score, expressions } of found.crops) {
      const key = cropKey(sha, index)
      await stage(key, pixels)
      crops.push({ key, face: { index, box, eyes, roll, score, expressions } })
    }
    return { width: found.width, height: found.height, crops }
  }
  const decodeOnce = (sha: string, data: Buffer) => {
    let p = outcome.get(sha)
    if (!p) {
      p = (prep.fit === 'faces' ? decodeFaces : decodePlain)(sha, data).catch((err): Outcome => ({
        reason: err instanceof DecodeError ? err.reason : `could not be decoded: ${err.message}`
      }))
      outcome.set(sha, p)
    }
    return p
  }
  const identify = async (e: Entry): Promise<void> => {
    // Unchanged since the last import (same size and mtime): what we learnt then still holds. Skips without a
    // hash (unreadable files) are tried again: permissions change without touching mtime.
    const unchanged = (r: ImageRow) => r.bytes === e.file.bytes && r.mtimeMs === e.file.mtimeMs
    const old = previous.byPath.get(e.file.rel)
    if (old?.sha256 && unchanged(old)) {
      if (old.status === 'skipped') return void Object.assign(e, { sha: old.sha256, reason: old.reason })
      if (previous.bySha.has(old.sha256)) return void copyMeta(e, old)
    }
    const oldFaces = previous.photosByPath.get(e.file.rel)
    if (oldFaces?.every((f) => unchanged(f.row))) {
      const crops = previous.cropsBySha.get(photoShaOf(oldFaces[0].row.sha256!))
      if (crops) return void reuseCrops(e, oldFaces[0].row, crops)
    }
    let data: Buffer
    try {
      data = await readFile(e.file.abs)
    } catch (err) {
      e.reason = readReason(err)
      return
    }
    e.sha = sha256(data)
    try {
      e.format = checkFile(data.subarray(0, SNIFF_BYTES), data.length, opts.limits)
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err
      e.reason = err.reason
      return
    }
    const known = previous.bySha.get(e.sha)
    if (known) return void copyMeta(e, known)
    const knownCrops = previous.cropsBySha.get(e.sha)
    if (knownCrops) {
      const row = previous.bySha.get(knownCrops[0].key)!
      return void reuseCrops(e, row, knownCrops)
    }
    Object.assign(e, await decodeOnce(e.sha, data))
  }
  const step = async (e: Entry) => {
    await identify(e)
    if (!e.reason) tally.images += e.crops?.length ?? 0
    progress.step(e.file.rel, faceModels && tally.images)
  }
  const width = opts.poolWidth ?? (faceModels ? FACE_POOL_WIDTH : defaultPoolWidth())
  await runPool(entries, width, step, opts.control)
  return { entries, fresh, decoded: outcome.size, tally }
}

/** A face photo taken as an earlier import left it: its faces, and the photo's size and format. */
function reuseCrops(e: Entry, row: ImageRow, crops: Crop[]) {
  Object.assign(e, {
    sha: photoShaOf(crops[0].key),
    format: row.format,
    width: row.width,
    height: row.height,
    crops: [...crops].sort((a, b) => a.face.index - b.face.index)
  })
}

/**
 * Step 1b, face imports: each photo becomes one entry per face, named `<file>#<n>` and keyed by its crop, so
 * choosing, duplicates (the same photo twice gives the same keys), the split and the pixel file treat every
 * face as an image of its own.
 */
function expandFaces(entries: Entry[]): Entry[] {
  return entries.flatMap((e): Entry[] =>
    e.reason || !e.crops
      ? [e]
      : e.crops.map((c) => ({
          file: { ...e.file, rel: faceImageName(e.file.rel, c.face.index) },
          sha: c.key,
          format: e.format,
          width: e.width,
          height: e.height,
          face: { ...c.face, source: e.file.rel }
        }))
  )
}

/**
 * Step 2: which entries become images. Same bytes, same image: the first path (in order) is the image, the
 * others count as duplicates. The validation split is chosen by content, seeded as the dataset was at first.
 */
function chooseImages(entries: Entry[], previous: PreviousImport, opts: RunImportOptions) {
  const primaryBySha = new Map<string, Entry>()
  for (const e of entries) {
    if (e.reason || !e.sha) continue
    const first = primaryBySha.get(e.sha)
    if (first) e.duplicateOf = first
    else primaryBySha.set(e.sha, e)
  }
  const ok = entries.filter((e) => !e.reason && e.sha && !e.duplicateOf)
  const splitSeed = previous.dataset?.splitSeed ?? opts.seed
  const valFraction = previous.dataset?.valFraction ?? opts.valFraction
  const valShas = chooseValidation(
    ok.map((e) => e.sha!),
    splitSeed,
    valFraction
  )
  return { ok, splitSeed, valFraction, valShas }
}
type Chosen = ReturnType<typeof chooseImages>

/**
 * Step 3: the new packed pixel file in staging — fresh pixels, and unchanged images copied from the old file —
 * and thumbnails for reused images whose thumbnail someone deleted (cheap to make again from the pixels).
 */
async function stagePixels(
  studio: Studio,
  chosen: Chosen,
  fresh: Map<string, Uint8Array>,
  previous: PreviousImport,
  staging: Staging,
  prep: Preprocessing
): Promise<string> {
  const per = bytesPerImage(prep)
  const reused = chosen.ok.filter((e) => !fresh.has(e.sha!))
  const reusedPixels = readSlots(
    previous.file,
    reused.map((e) => previous.bySha.get(e.sha!)!.slot!),
    per
  )
  const reusedIndex = new Map(reused.map((e, i) => [e.sha!, i]))
  const pixelsOf = (e: Entry) =>
    fresh.get(e.sha!) ??
    reusedPixels.subarray(reusedIndex.get(e.sha!)! * per, (reusedIndex.get(e.sha!)! + 1) * per)
  const fileName = pixelFileName(
    prep,
    chosen.ok.map((e) => e.sha!)
  )
  writeFileAtomic(join(staging.dir, fileName), chosen.ok.map(pixelsOf))
  if (previous.dataset)
    for (const e of reused)
      if (!existsSync(join(studio.paths.dataset(previous.dataset.id), 'thumbs', thumbName(e.sha!))))
        writeFileSync(
          join(staging.thumbs, thumbName(e.sha!)),
          await thumbnail(pixelsOf(e), prep.size, prep.channels)
        )
  return fileName
}

/** Step 4: one row per scanned path — an image with its slot and split, a duplicate, or a skip with its reason. */
function imageRows(entries: Entry[], problems: ScanResult['problems'], chosen: Chosen): NewImage[] {
  const slotOf = new Map(chosen.ok.map((e, i) => [e, i]))
  const rows: NewImage[] = entries.map((e) => {
    const base = {
      relPath: e.file.rel,
      bytes: e.file.bytes,
      mtimeMs: e.file.mtimeMs,
      sha256: e.sha,
      ...(e.face ? { face: e.face } : {})
    }
    if (e.reason) return { ...base, ...blank, status: 'skipped', reason: e.reason }
    const meta = { width: e.width ?? null, height: e.height ?? null, format: e.format ?? null }
    if (e.duplicateOf)
      return {
        ...base,
        ...meta,
        status: 'duplicate',
        // A face of a photo seen at another path: name that photo, not its face.
        reason: `same bytes as ${e.duplicateOf.face?.source ?? e.duplicateOf.file.rel}`,
        slot: null,
        split: null
      }
    return {
      ...base,
      ...meta,
      status: 'ok',
      reason: null,
      slot: slotOf.get(e)!,
      split: chosen.valShas.has(e.sha!) ? 'val' : 'train'
    }
  })
  for (const p of problems)
    rows.push({
      relPath: p.rel,
      bytes: 0,
      mtimeMs: 0,
      sha256: null,
      ...blank,
      status: 'skipped',
      reason: p.reason
    })
  return rows
}

/**
 * Step 5, the commit: files into place and rows in one transaction. A crash before it leaves the old rows,
 * which still name the old pixel file (never overwritten: names are content-derived).
 */
function commit(
  studio: Studio,
  dataset: Omit<NewDataset, 'splitSeed' | 'valFraction'> & { existing: Dataset | undefined },
  chosen: Chosen,
  staging: Staging,
  fileName: string,
  rows: NewImage[]
): number {
  const { store } = studio
  const { existing, ...fresh } = dataset
  return store.db
    .transaction(() => {
      const d =
        existing ??
        store.datasets.create({ ...fresh, splitSeed: chosen.splitSeed, valFraction: chosen.valFraction })
      const dir = studio.paths.dataset(d.id)
      // A folder under a brand-new id is a leftover of an import that died before committing.
      if (!existing) rmSync(dir, { recursive: true, force: true })
      mkdirp(join(dir, 'thumbs'))
      renameSync(join(staging.dir, fileName), join(dir, fileName))
      for (const name of readdirSync(staging.thumbs))
        renameSync(join(staging.thumbs, name), join(dir, 'thumbs', name))
      store.images.replaceAll(d.id, rows)
      store.datasets.touch(d.id)
      return d.id
    })
    .immediate()
}

/**
 * Imports `paths` as one dataset: find what an earlier import left, identify every file, choose the images,
 * stage the pixel file, write the rows, commit, and tidy up. Cancelling (control.stop) before the commit
 * leaves the store as it was.
 */
export async function runImport(
  studio: Studio,
  paths: string[],
  prep: Preprocessing,
  opts: RunImportOptions
): Promise<ImportResult> {
  const scanned = await scan(paths)
  const previous = previousImport(studio, scanned.source, prep)
  const staging = openStaging(studio)
  const faceModels = prep.fit === 'faces' ? faceModelsOnce(opts.openFaceModels) : undefined
  // One libvips thread per image and about one image per core: for photos shrunk to model size this beats
  // several threads on one image, whose work is mostly the (single-threaded) JPEG decode.
  const previousConcurrency = sharp.concurrency()
  sharp.concurrency(1)
  try {
    const progress = progressReporter(opts.onProgress, scanned.files.length)
    const identified = await identifyFiles(scanned.files, previous, staging, prep, opts, progress, faceModels)
    const { fresh, decoded, tally } = identified
    const entries = faceModels ? expandFaces(identified.entries) : identified.entries
    if (opts.control?.stopped) throw cancelled()
    const chosen = chooseImages(entries, previous, opts)
    const fileName = await stagePixels(studio, chosen, fresh, previous, staging, prep)
    const rows = imageRows(entries, scanned.problems, chosen)
    if (opts.control?.stopped) throw cancelled()
    const name = opts.name ?? displayName(scanned)
    const datasetId = commit(
      studio,
      { existing: previous.dataset, name, source: scanned.source, ...prep },
      chosen,
      staging,
      fileName,
      rows
    )
    removeStale(studio.paths.dataset(datasetId), fileName, new Set(chosen.ok.map((e) => thumbName(e.sha!))))
    progress.finish(faceModels && tally.images)
    const present = new Set(entries.map((e) => e.file.rel))
    const skipped: SkippedFile[] = rows
      .filter((r) => r.status === 'skipped')
      .map((r) => ({ file: r.relPath, reason: r.reason! }))
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    const faces: FaceCounts | undefined = faceModels && {
      images: chosen.ok.length,
      photos: new Set(chosen.ok.map((e) => e.face!.source)).size,
      tooSmall: tally.tooSmall,
      profiles: tally.profiles
    }
    return {
      datasetId,
      imported: chosen.ok.length,
      duplicates: entries.filter((e) => e.duplicateOf && !e.reason).length,
      skipped,
      size: prep.size,
      channels: prep.channels,
      decoded,
      removed: previous.images.filter((i) => !present.has(i.relPath)).length,
      ...(faces ? { faces } : {})
    }
  } finally {
    sharp.concurrency(previousConcurrency)
    rmSync(staging.dir, { recursive: true, force: true })
    await faceModels?.dispose()
  }
}

const copyMeta = (e: Entry, row: ImageRow) =>
  Object.assign(e, { sha: row.sha256, format: row.format, width: row.width, height: row.height })

const blank = { width: null, height: null, format: null, slot: null, split: null } as const

function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true })
  return dir
}

/** Removes staging folders of imports whose process died (killed, crashed) before they could clean up. */
function removeAbandonedStaging(datasetsDir: string): void {
  for (const name of readdirSync(datasetsDir)) {
    const pid = Number(/^\.import-(\d+)-/.exec(name)?.[1])
    if (pid && pid !== process.pid && !isAlive(pid))
      rmSync(join(datasetsDir, name), { recursive: true, force: true })
  }
}

/** After a commit: drops pixel files and thumbnails the dataset's rows no longer name. */
function removeStale(dir: string, pixelFileName: string, thumbs: Set<string>): void {
  for (const name of readdirSync(dir))
    if (name.startsWith('pixels-') && name !== pixelFileName) rmSync(join(dir, name), { force: true })
  for (const name of readdirSync(join(dir, 'thumbs')))
    if (!thumbs.has(name)) rmSync(join(dir, 'thumbs', name), { force: true })
}
