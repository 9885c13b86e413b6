import { existsSync, rmSync } from 'node:fs'
import { relative } from 'node:path'
import * as v from 'valibot'
import type { Dataset } from '../../shared/contract/domain'
import {
  ImportOptionsSchema,
  type DatasetImage,
  type ImportOptions,
  type ImportResult,
  type SkippedFile
} from '../../shared/contract/datasets'
import { bytesPerImage, readSlots, thumbName } from '../imaging/cache'
import { DEFAULT_LIMITS, decodeForModel, type DecodeLimits, type Preprocessing } from '../imaging/decode'
import type { JobControl } from '../jobs/control'
import { pixelFile, runImport } from './datasets-import'
import { notFound, StudioError } from './errors'
import type { Studio } from './studio'

export { decodeForModel }
export type { ImportOptions, ImportResult }

export const DEFAULTS = { size: 64, channels: 3, fit: 'cover', valFraction: 0.1, seed: 1 } as const

export interface ImportContext {
  emit?(name: string, payload: unknown): void
  control?: JobControl
  /** Decode limits (tests lower them); DEFAULT_LIMITS otherwise. */
  limits?: DecodeLimits
  /** Images decoded at once; one per core plus one by default. */
  poolWidth?: number
}

/** The pixels a model trains on: excluded and unusable images left out, NHWC uint8. */
export interface TrainingData {
  datasetId: number
  size: number
  channels: 1 | 3
  train: Uint8Array
  val: Uint8Array
  trainCount: number
  valCount: number
  trainImageIds: number[]
  valImageIds: number[]
}

const parseOptions = (options: ImportOptions): ImportOptions => {
  const parsed = v.safeParse(ImportOptionsSchema, options)
  if (parsed.success) return parsed.output
  const issues = parsed.issues.map((i) => {
    const path = i.path?.map((p) => String(p.key)).join('.')
    return path ? `${path}: ${i.message}` : i.message
  })
  throw new StudioError('validation', `Invalid import options: ${issues.join('; ')}`)
}

/**
 * Imports a folder (incrementally, when it was imported before with the same settings) or a list of files
 * (always a new dataset). Every good image goes in; every bad file is listed with a reason; the store and
 * the cache change together or not at all.
 */
export async function importFolder(
  studio: Studio,
  options: ImportOptions,
  ctx: ImportContext = {}
): Promise<ImportResult> {
  const o = parseOptions(options)
  const prep: Preprocessing = {
    size: o.size ?? DEFAULTS.size,
    channels: (o.channels ?? DEFAULTS.channels) as 1 | 3,
    fit: o.fit ?? DEFAULTS.fit
  }
  return runImport(studio, o.paths, prep, {
    name: o.name,
    seed: o.seed ?? DEFAULTS.seed,
    valFraction: o.valFraction ?? DEFAULTS.valFraction,
    limits: ctx.limits ?? DEFAULT_LIMITS,
    emit: ctx.emit,
    control: ctx.control,
    poolWidth: ctx.poolWidth
  })
}

export function listDatasets(studio: Studio): Dataset[] {
  return studio.store.datasets.list()
}

export function getDataset(studio: Studio, datasetId: number): Dataset {
  const d = studio.store.datasets.get(datasetId)
  if (!d) throw notFound(`Dataset ${datasetId}`)
  return d
}

export async function loadTrainingData(studio: Studio, datasetId: number): Promise<TrainingData> {
  const d = getDataset(studio, datasetId)
  const images = studio.store.images.images(d.id)
  const file = pixelFile(studio, d, images)
  if (images.length > 0 && !existsSync(file))
    throw new StudioError('failed', `The pixel cache of dataset ${d.id} is missing; import the folder again.`)
  const used = images.filter((i) => !i.excluded && i.slot !== null)
  const train = used.filter((i) => i.split !== 'val')
  const val = used.filter((i) => i.split === 'val')
  const per = bytesPerImage(d)
  return {
    datasetId: d.id,
    size: d.size,
    channels: d.channels,
    train: readSlots(
      file,
      train.map((i) => i.slot!),
      per
    ),
    val: readSlots(
      file,
      val.map((i) => i.slot!),
      per
    ),
    trainCount: train.length,
    valCount: val.length,
    trainImageIds: train.map((i) => i.id),
    valImageIds: val.map((i) => i.id)
  }
}

export function datasetImages(
  studio: Studio,
  datasetId: number,
  { offset = 0, limit = 100 }: { offset?: number; limit?: number } = {}
): { items: DatasetImage[]; total: number } {
  const d = getDataset(studio, datasetId)
  const { rows, total } = studio.store.images.page(d.id, offset, limit)
  const dir = relative(studio.paths.home, studio.paths.dataset(d.id)).split('\\').join('/')
  return {
    items: rows.map((r) => ({
      id: r.id,
      relPath: r.relPath,
      split: r.split ?? 'train',
      excluded: r.excluded,
      thumb: `${dir}/thumbs/${thumbName(r.sha256 ?? '')}`
    })),
    total
  }
}

export function skippedFiles(studio: Studio, datasetId: number): SkippedFile[] {
  getDataset(studio, datasetId)
  return studio.store.images.skipped(datasetId)
}

export function excludeImage(studio: Studio, imageId: number, excluded: boolean): boolean {
  if (!studio.store.images.setExcluded(imageId, excluded)) throw notFound(`Image ${imageId}`)
  return excluded
}

export function deleteDataset(studio: Studio, datasetId: number): boolean {
  getDataset(studio, datasetId)
  studio.store.datasets.delete(datasetId)
  rmSync(studio.paths.dataset(datasetId), { recursive: true, force: true })
  return true
}
