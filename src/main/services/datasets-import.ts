import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import type { ImportProgress, ImportResult, SkippedFile } from '../../shared/contract/datasets'
import type { Dataset } from '../../shared/contract/domain'
import { bytesPerImage, pixelFileName, readSlots, thumbName, writeFileAtomic } from '../imaging/cache'
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
  let decodedAtStart = 0
  let last = 0
  return {
    /** Files settled without decoding (unchanged, duplicates, skipped before decoding). */
    settle(n: number) {
      done += n
      decodedAtStart = done
    },
    step(file: string) {
      done++
      const now = Date.now()
      if (!emit || (now - last < 100 && done < total)) return
      last = now
      const seconds = (now - started) / 1000
      const rate = seconds > 0 ? (done - decodedAtStart) / seconds : 0
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
      emit?.('datasets.progress', { done: total, total, rate: 0, etaSeconds: 0 } satisfies ImportProgress)
    }
  }
}

/**
 * The import itself. Phase 1 identifies every file cheaply (unchanged since the last import by size and
 * mtime, else by reading and hashing it); phase 2 decodes only content not already in the cache, in a pool;
 * then the new pixel file and thumbnails are staged and committed with the rows in one transaction.
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
  const oldSlotBySha = new Map<string, number>()
  if (existing && existsSync(oldFile))
    for (const i of oldImages) if (i.sha256 && i.slot !== null) oldSlotBySha.set(i.sha256, i.slot)
  const oldByPath = new Map(oldRows.map((r) => [r.relPath, r]))
  const width = opts.poolWidth ?? defaultPoolWidth()
  const control = opts.control

  // Phase 1: what is each file?
  const entries: Entry[] = scanned.files.map((file) => ({ file, sha: null }))
  await runPool(
    entries,
    width,
    async (e) => {
      // Unchanged since the last import (same size and mtime): what we learnt then still holds. Skips
      // without a hash (unreadable files) are tried again: permissions change without touching mtime.
      const old = oldByPath.get(e.file.rel)
      if (old?.sha256 && old.bytes === e.file.bytes && old.mtimeMs === e.file.mtimeMs) {
        if (old.status === 'skipped') return void Object.assign(e, { sha: old.sha256, reason: old.reason })
        if (oldSlotBySha.has(old.sha256))
          return void Object.assign(e, {
            sha: old.sha256,
            format: old.format,
            width: old.width,
            height: old.height
          })
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
      }
    },
    control
  )

  // Same bytes, same image: the first path (in order) is decoded, the others count as duplicates.
  const primaryBySha = new Map<string, Entry>()
  for (const e of entries) {
    if (e.reason || !e.sha) continue
    const first = primaryBySha.get(e.sha)
    if (first) e.duplicateOf = first
    else primaryBySha.set(e.sha, e)
  }
  const toDecode = [...primaryBySha.values()].filter((e) => !oldSlotBySha.has(e.sha!))

  // Phase 2: decode what is new, one libvips thread per image and one image per core.
  const staging = mkdtempSync(join(mkdirp(studio.paths.datasets), '.import-'))
  const stagedThumbs = mkdirp(join(staging, 'thumbs'))
  const previousConcurrency = sharp.concurrency()
  sharp.concurrency(1)
  try {
    const progress = progressReporter(opts.emit, entries.length)
    progress.settle(entries.length - toDecode.length)
    const fresh = new Map<string, Uint8Array>()
    await runPool(
      toDecode,
      width,
      async (e) => {
        try {
          const data = await readFile(e.file.abs)
          if (sha256(data) !== e.sha) throw new DecodeError('changed during the import; import again')
          const d = await preprocess(data, prep, opts.limits)
          Object.assign(e, { format: d.format, width: d.width, height: d.height })
          fresh.set(e.sha!, d.pixels)
          writeFileSync(
            join(stagedThumbs, thumbName(e.sha!)),
            await thumbnail(d.pixels, prep.size, prep.channels)
          )
        } catch (err) {
          e.reason = err instanceof DecodeError ? err.reason : readReason(err)
        }
        progress.step(e.file.rel)
      },
      control
    )
    if (control?.stopped) throw cancelled()

    for (const e of entries) if (e.duplicateOf?.reason) e.reason = e.duplicateOf.reason
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
      reused.map((e) => oldSlotBySha.get(e.sha!)!),
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
      decoded: toDecode.length,
      removed: oldImages.filter((i) => !present.has(i.relPath)).length
    }
  } finally {
    sharp.concurrency(previousConcurrency)
    rmSync(staging, { recursive: true, force: true })
  }
}

const blank = { width: null, height: null, format: null, slot: null, split: null } as const

function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true })
  return dir
}

/** After a commit: drops pixel files and thumbnails the dataset's rows no longer name. */
function removeStale(dir: string, pixelFileName: string, thumbs: Set<string>): void {
  for (const name of readdirSync(dir))
    if (name.startsWith('pixels-') && name !== pixelFileName) rmSync(join(dir, name), { force: true })
  for (const name of readdirSync(join(dir, 'thumbs')))
    if (!thumbs.has(name)) rmSync(join(dir, 'thumbs', name), { force: true })
}
