import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import type { ImportProgress, ImportResult, SkippedFile } from '../../shared/contract/datasets'
import type { Dataset } from '../../shared/contract/domain'
import { bytesPerImage, pixelFileName, readSlots, thumbName } from '../imaging/cache'
import { writeFileAtomic } from '../util/atomic-write'
import {
  checkFile,
  DecodeError,
  preprocess,
  thumbnail,
  type DecodeLimits,
  type Preprocessing
} from '../imaging/decode'
import { cancelled, defaultPoolWidth, runPool } from '../imaging/pool'
import { displayName, scan, type ScannedFile } from '../imaging/scan'
import { SNIFF_BYTES } from '../imaging/sniff'
import { chooseValidation } from '../imaging/split'
import type { JobControl } from '../jobs/control'
import type { ImageRow, NewImage } from '../store/repositories/images'
import type { Studio } from './studio'

export interface RunImportOptions {
  name?: string
  seed: number
  valFraction: number
  limits: DecodeLimits
  emit?(name: string, payload: unknown): void
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

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')

const readReason = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'ENOENT') return 'disappeared during the import'
  if (code === 'EISDIR') return 'not an image'
  return `could not be read: ${(err as Error).message}`
}

/** Throttled 'datasets.progress' events: at most ten a second, and always the last one. */
function progressReporter(emit: RunImportOptions['emit'], total: number) {
  const started = Date.now()
  let done = 0
  let last = 0
  return {
    step(file: string) {
      done++
      const now = Date.now()
      if (!emit || (now - last < 100 && done < total)) return
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
      emit('datasets.progress', payload)
    },
    finish() {
      const seconds = (Date.now() - started) / 1000
      const rate = seconds > 0 ? Math.round((total / seconds) * 10) / 10 : 0
      emit?.('datasets.progress', { done: total, total, rate, etaSeconds: 0 } satisfies ImportProgress)
    }
  }
}

/**
 * The import itself, in one pass over the files in a pool: a file unchanged since the last import (size and
 * mtime) is taken as it was; any other is read once, hashed, and decoded unless its content is already in
 * the cache or being decoded for another path. Then the new pixel file and thumbnails are staged and
 * committed with the rows in one transaction.
 */
export async function runImport(
  studio: Studio,
  paths: string[],
  prep: Preprocessing,
  opts: RunImportOptions
): Promise<ImportResult> {
  const { store } = studio
  const scanned = await scan(paths)
  const existing = scanned.source
    ? store.datasets.find(scanned.source, prep.size, prep.channels, prep.fit)
    : undefined
  const oldRows = existing ? store.images.all(existing.id) : []
  const oldImages = existing ? store.images.images(existing.id) : []
  const oldFile = existing ? pixelFile(studio, existing, oldImages) : ''
  const oldBySha = new Map<string, ImageRow>()
  if (existing && existsSync(oldFile))
    for (const i of oldImages) if (i.sha256 && i.slot !== null) oldBySha.set(i.sha256, i)
  const oldByPath = new Map(oldRows.map((r) => [r.relPath, r]))
  const control = opts.control

  removeAbandonedStaging(mkdirp(studio.paths.datasets))
  const staging = mkdtempSync(join(studio.paths.datasets, `.import-${process.pid}-`))
  const stagedThumbs = mkdirp(join(staging, 'thumbs'))
  // One libvips thread per image and about one image per core: for photos shrunk to model size this beats
  // several threads on one image, whose work is mostly the (single-threaded) JPEG decode.
  const previousConcurrency = sharp.concurrency()
  sharp.concurrency(1)
  try {
    const entries: Entry[] = scanned.files.map((file) => ({ file, sha: null }))
    const progress = progressReporter(opts.emit, entries.length)
    const fresh = new Map<string, Uint8Array>()
    const outcome = new Map<
      string,
      Promise<{ reason?: string; format?: string; width?: number; height?: number }>
    >()
    let decoded = 0
    const decodeOnce = (sha: string, data: Buffer) => {
      let p = outcome.get(sha)
      if (!p) {
        decoded++
        p = preprocess(data, prep, opts.limits).then(
          async (d) => {
            fresh.set(sha, d.pixels)
            writeFileSync(
              join(stagedThumbs, thumbName(sha)),
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

    await runPool(
      entries,
      opts.poolWidth ?? defaultPoolWidth(),
      async (e) => {
        await identify(e)
        progress.step(e.file.rel)
      },
      control
    )

    async function identify(e: Entry): Promise<void> {
      // Unchanged since the last import (same size and mtime): what we learnt then still holds. Skips
      // without a hash (unreadable files) are tried again: permissions change without touching mtime.
      const old = oldByPath.get(e.file.rel)
      if (old?.sha256 && old.bytes === e.file.bytes && old.mtimeMs === e.file.mtimeMs) {
        if (old.status === 'skipped') return void Object.assign(e, { sha: old.sha256, reason: old.reason })
        if (oldBySha.has(old.sha256)) return void copyMeta(e, old)
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
      const known = oldBySha.get(e.sha)
      if (known) return void copyMeta(e, known)
      Object.assign(e, await decodeOnce(e.sha, data))
    }
    if (control?.stopped) throw cancelled()

    // Same bytes, same image: the first path (in order) is the image, the others count as duplicates.
    const primaryBySha = new Map<string, Entry>()
    for (const e of entries) {
      if (e.reason || !e.sha) continue
      const first = primaryBySha.get(e.sha)
      if (first) e.duplicateOf = first
      else primaryBySha.set(e.sha, e)
    }
    const ok = entries.filter((e) => !e.reason && e.sha && !e.duplicateOf)
    const splitSeed = existing?.splitSeed ?? opts.seed
    const valFraction = existing?.valFraction ?? opts.valFraction
    const valShas = chooseValidation(
      ok.map((e) => e.sha!),
      splitSeed,
      valFraction
    )

    // The new packed file: fresh pixels, and unchanged images copied from the old file.
    const per = bytesPerImage(prep)
    const reused = ok.filter((e) => !fresh.has(e.sha!))
    const reusedPixels = readSlots(
      oldFile,
      reused.map((e) => oldBySha.get(e.sha!)!.slot!),
      per
    )
    const reusedIndex = new Map(reused.map((e, i) => [e.sha!, i]))
    const pixelsOf = (e: Entry) =>
      fresh.get(e.sha!) ??
      reusedPixels.subarray(reusedIndex.get(e.sha!)! * per, (reusedIndex.get(e.sha!)! + 1) * per)
    const fileName = pixelFileName(
      prep,
      ok.map((e) => e.sha!)
    )
    writeFileAtomic(join(staging, fileName), ok.map(pixelsOf))
    // A thumbnail someone deleted is cheap to make again from the cached pixels.
    if (existing)
      for (const e of reused)
        if (!existsSync(join(studio.paths.dataset(existing.id), 'thumbs', thumbName(e.sha!))))
          writeFileSync(
            join(stagedThumbs, thumbName(e.sha!)),
            await thumbnail(pixelsOf(e), prep.size, prep.channels)
          )

    const slotOf = new Map(ok.map((e, i) => [e, i]))
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
        split: valShas.has(e.sha!) ? 'val' : 'train'
      }
    })
    for (const p of scanned.problems)
      rows.push({
        relPath: p.rel,
        bytes: 0,
        mtimeMs: 0,
        sha256: null,
        ...blank,
        status: 'skipped',
        reason: p.reason
      })

    if (control?.stopped) throw cancelled()
    // Commit: files into place and rows in one transaction. A crash before the commit leaves the old rows,
    // which still name the old pixel file (never overwritten: names are content-derived).
    const datasetId = store.db
      .transaction(() => {
        const d =
          existing ??
          store.datasets.create({
            name: opts.name ?? displayName(scanned),
            source: scanned.source,
            ...prep,
            splitSeed,
            valFraction
          })
        const dir = studio.paths.dataset(d.id)
        // A folder under a brand-new id is a leftover of an import that died before committing.
        if (!existing) rmSync(dir, { recursive: true, force: true })
        mkdirp(join(dir, 'thumbs'))
        renameSync(join(staging, fileName), join(dir, fileName))
        for (const name of readdirSync(stagedThumbs))
          renameSync(join(stagedThumbs, name), join(dir, 'thumbs', name))
        store.images.replaceAll(d.id, rows)
        store.datasets.touch(d.id)
        return d.id
      })
      .immediate()
    removeStale(studio.paths.dataset(datasetId), fileName, new Set(ok.map((e) => thumbName(e.sha!))))
    progress.finish()

    const present = new Set(entries.map((e) => e.file.rel))
    const skipped: SkippedFile[] = rows
      .filter((r) => r.status === 'skipped')
      .map((r) => ({ file: r.relPath, reason: r.reason! }))
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    return {
      datasetId,
      imported: ok.length,
      duplicates: entries.filter((e) => e.duplicateOf && !e.reason).length,
      skipped,
      size: prep.size,
      channels: prep.channels,
      decoded,
      removed: oldImages.filter((i) => !present.has(i.relPath)).length
    }
  } finally {
    sharp.concurrency(previousConcurrency)
    rmSync(staging, { recursive: true, force: true })
  }
}

const copyMeta = (e: Entry, row: ImageRow) =>
  Object.assign(e, { sha: row.sha256, format: row.format, width: row.width, height: row.height })

const blank = { width: null, height: null, format: null, slot: null, split: null } as const

function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true })
  return dir
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
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
