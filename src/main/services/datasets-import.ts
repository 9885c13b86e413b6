import { sha256 } from '../util/hash'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import type { ImportProgress, ImportResult, SkippedFile } from '../../shared/contract/datasets'
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
import { cancelled, defaultPoolWidth, runPool } from '../imaging/pool'
import { displayName, scan, type ScannedFile, type ScanResult } from '../imaging/scan'
import { SNIFF_BYTES } from '../imaging/sniff'
import { chooseValidation } from '../imaging/split'
import type { JobControl } from '../../shared/control'
import type { NewDataset } from '../store/repositories/datasets'
import type { ImageRow, NewImage } from '../store/repositories/images'
import type { Studio } from './studio'

export interface RunImportOptions {
  name?: string
  seed: number
  valFraction: number
  limits: DecodeLimits
  onProgress?(progress: ImportProgress): void
  control?: JobControl
  poolWidth?: number
}

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
}

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
    step(file: string) {
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
        file
      }
      report(payload)
    },
    finish() {
      const seconds = (Date.now() - started) / 1000
      const rate = seconds > 0 ? Math.round((total / seconds) * 10) / 10 : 0
      report?.({ done: total, total, rate, etaSeconds: 0 })
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
}

function previousImport(studio: Studio, source: string | null, prep: Preprocessing): PreviousImport {
  const { store } = studio
  const dataset = source ? store.datasets.find(source, prep.size, prep.channels, prep.fit) : undefined
  const rows = dataset ? store.images.all(dataset.id) : []
  const images = dataset ? store.images.images(dataset.id) : []
  const file = dataset ? pixelFile(studio, dataset, images) : ''
  const bySha = new Map<string, ImageRow>()
  if (dataset && existsSync(file))
    for (const i of images) if (i.sha256 && i.slot !== null) bySha.set(i.sha256, i)
  return { dataset, byPath: new Map(rows.map((r) => [r.relPath, r])), bySha, images, file }
}

/** A private folder the new pixel file and thumbnails are written to before the commit moves them in place. */
function openStaging(studio: Studio) {
  removeAbandonedStaging(mkdirp(studio.paths.datasets))
  const dir = mkdtempSync(join(studio.paths.datasets, `.import-${process.pid}-`))
  return { dir, thumbs: mkdirp(join(dir, 'thumbs')) }
}
type Staging = ReturnType<typeof openStaging>

/**
 * Step 1, over every file in a pool: a file unchanged since the last import (size and mtime) is taken as it
 * was; any other is read once, hashed, sniffed, and decoded unless its content is already in the old pixel file
 * or being decoded for another path. Fresh pixels and their thumbnails go to staging.
 */
async function identifyFiles(
  files: readonly ScannedFile[],
  previous: PreviousImport,
  staging: Staging,
  prep: Preprocessing,
  opts: RunImportOptions,
  progress: ReturnType<typeof progressReporter>
) {
  const entries: Entry[] = files.map((file) => ({ file, sha: null }))
  const fresh = new Map<string, Uint8Array>()
  const outcome = new Map<string, Promise<Pick<Entry, 'reason' | 'format' | 'width' | 'height'>>>()
  const decodeOnce = (sha: string, data: Buffer) => {
    let p = outcome.get(sha)
    if (!p) {
      p = preprocess(data, prep, opts.limits).then(
        async (d) => {
          fresh.set(sha, d.pixels)
          writeFileSync(
            join(staging.thumbs, thumbName(sha)),
            await thumbnail(d.pixels, prep.size, prep.channels)
          )
          return { format: d.format, width: d.width, height: d.height }
        },
        (err) => ({
          reason: err instanceof DecodeError ? err.reason : `could not be decoded: ${err.message}`
        })
      )
      outcome.set(sha, p)
    }
    return p
  }
  const identify = async (e: Entry): Promise<void> => {
    // Unchanged since the last import (same size and mtime): what we learnt then still holds. Skips without a
    // hash (unreadable files) are tried again: permissions change without touching mtime.
    const old = previous.byPath.get(e.file.rel)
    if (old?.sha256 && old.bytes === e.file.bytes && old.mtimeMs === e.file.mtimeMs) {
      if (old.status === 'skipped') return void Object.assign(e, { sha: old.sha256, reason: old.reason })
      if (previous.bySha.has(old.sha256)) return void copyMeta(e, old)
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
    Object.assign(e, await decodeOnce(e.sha, data))
  }
  const step = async (e: Entry) => {
    await identify(e)
    progress.step(e.file.rel)
  }
  await runPool(entries, opts.poolWidth ?? defaultPoolWidth(), step, opts.control)
  return { entries, fresh, decoded: outcome.size }
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
    const base = { relPath: e.file.rel, bytes: e.file.bytes, mtimeMs: e.file.mtimeMs, sha256: e.sha }
    if (e.reason) return { ...base, ...blank, status: 'skipped', reason: e.reason }
    const meta = { width: e.width ?? null, height: e.height ?? null, format: e.format ?? null }
    if (e.duplicateOf)
      return {
        ...base,
        ...meta,
        status: 'duplicate',
        reason: `same bytes as ${e.duplicateOf.file.rel}`,
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
  // One libvips thread per image and about one image per core: for photos shrunk to model size this beats
  // several threads on one image, whose work is mostly the (single-threaded) JPEG decode.
  const previousConcurrency = sharp.concurrency()
  sharp.concurrency(1)
  try {
    const progress = progressReporter(opts.onProgress, scanned.files.length)
    const { entries, fresh, decoded } = await identifyFiles(
      scanned.files,
      previous,
      staging,
      prep,
      opts,
      progress
    )
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
    progress.finish()
    const present = new Set(entries.map((e) => e.file.rel))
    const skipped: SkippedFile[] = rows
      .filter((r) => r.status === 'skipped')
      .map((r) => ({ file: r.relPath, reason: r.reason! }))
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    return {
      datasetId,
      imported: chosen.ok.length,
      duplicates: entries.filter((e) => e.duplicateOf && !e.reason).length,
      skipped,
      size: prep.size,
      channels: prep.channels,
      decoded,
      removed: previous.images.filter((i) => !present.has(i.relPath)).length
    }
  } finally {
    sharp.concurrency(previousConcurrency)
    rmSync(staging.dir, { recursive: true, force: true })
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
