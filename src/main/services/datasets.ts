import { existsSync, rmSync } from 'node:fs'
import { relative } from 'node:path'
import type { ImportProgress } from '../../shared/contract/datasets'
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
import type { JobControl } from '../../shared/control'
import type { ImageRow } from '../store/repositories/images'
import type { FaceModels } from '../imaging/faces/index'
import { pixelFile, runImport } from './datasets-import'
import { notFound, StudioError } from '../../shared/errors'
import { parseOrThrow } from '../../shared/validation'
import type { Studio } from './studio'

export { decodeForModel }
export type { ImportOptions, ImportResult }

export const DEFAULTS = { size: 64, channels: 3, fit: 'cover', valFraction: 0.1, seed: 1 } as const
/** A face import's defaults: the largest face of each photo, framed as aligned face sets are. */
export const FACE_DEFAULTS = { perImage: 'largest', margin: 1 } as const

export interface ImportContext {
  /** Throttled: at most ten a second, and always the last one. */
  onProgress?(progress: ImportProgress): void
  control?: JobControl
  /** Decode limits (tests lower them); DEFAULT_LIMITS otherwise. */
  limits?: DecodeLimits
  /** Images decoded at once; one per core plus one by default (three photos for a face import). */
  poolWidth?: number
  /** Face imports: how the face models are opened (tests count the loads). */
  openFaceModels?: () => Promise<FaceModels>
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

export type Split = 'train' | 'val'

/** The split measurements and grids use: validation, or training when the dataset has no validation images. */
export const measuredSplit = (data: TrainingData): Split => (data.valCount > 0 ? 'val' : 'train')

/** `count` of `total` indices: the first ones, or evenly spaced (⌊i·total/count⌋) through all of them. */
export const spreadIndices = (total: number, count: number, spread: boolean): number[] =>
  Array.from({ length: count }, (_, i) => (spread ? Math.floor((i * total) / count) : i))

export interface PickedImages {
  split: Split
  pixels: Uint8Array
  count: number
  imageIds: number[]
}

/**
 * Up to `limit` images of one split, packed: evenly spaced through it (so a folder sorted by kind shows every
 * kind), or with `spread` off the first ones.
 */
export function pickImages(data: TrainingData, split: Split, limit: number, spread = true): PickedImages {
  const total = split === 'val' ? data.valCount : data.trainCount
  const source = split === 'val' ? data.val : data.train
  const ids = split === 'val' ? data.valImageIds : data.trainImageIds
  const count = Math.min(limit, total)
  const per = bytesPerImage(data)
  const picks = spreadIndices(total, count, spread)
  const pixels = new Uint8Array(count * per)
  picks.forEach((index, i) => pixels.set(source.subarray(index * per, (index + 1) * per), i * per))
  return { split, pixels, count, imageIds: picks.map((i) => ids[i]) }
}

const parseOptions = (options: ImportOptions): ImportOptions =>
  parseOrThrow(ImportOptionsSchema, options, 'Invalid import options')

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
  const fit = o.fit ?? DEFAULTS.fit
  const prep: Preprocessing = {
    size: o.size ?? DEFAULTS.size,
    channels: (o.channels ?? DEFAULTS.channels) as 1 | 3,
    fit,
    faces:
      fit === 'faces'
        ? {
            perImage: o.facesPerImage ?? FACE_DEFAULTS.perImage,
            margin: o.faceMargin ?? FACE_DEFAULTS.margin
          }
        : null
  }
  return runImport(studio, o.paths, prep, {
    name: o.name,
    seed: o.seed ?? DEFAULTS.seed,
    valFraction: o.valFraction ?? DEFAULTS.valFraction,
    limits: ctx.limits ?? DEFAULT_LIMITS,
    onProgress: ctx.onProgress,
    control: ctx.control,
    poolWidth: ctx.poolWidth,
    openFaceModels: ctx.openFaceModels
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

/** A dataset's pixel file and its usable images (not excluded, decoded) by split. */
function usableImages(studio: Studio, datasetId: number) {
  const d = getDataset(studio, datasetId)
  const images = studio.store.images.images(d.id)
  const file = pixelFile(studio, d, images)
  if (images.length > 0 && !existsSync(file))
    throw new StudioError('failed', `The pixel cache of dataset ${d.id} is missing; import the folder again.`)
  const used = images.filter((i) => !i.excluded && i.slot !== null)
  return {
    d,
    file,
    train: used.filter((i) => i.split !== 'val'),
    val: used.filter((i) => i.split === 'val')
  }
}

export async function loadTrainingData(studio: Studio, datasetId: number): Promise<TrainingData> {
  const { d, file, train, val } = usableImages(studio, datasetId)
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

/**
 * Up to `limit` training images evenly spaced through the split, as pickImages picks them, reading only those
 * from the pixel file: a preview of a large dataset should not load all of it.
 */
export function trainingSample(
  studio: Studio,
  datasetId: number,
  limit: number
): PickedImages & { size: number; channels: 1 | 3 } {
  const { d, file, train } = usableImages(studio, datasetId)
  const picks = spreadIndices(train.length, Math.min(limit, train.length), true).map((i) => train[i])
  return {
    split: 'train',
    pixels: readSlots(
      file,
      picks.map((i) => i.slot!),
      bytesPerImage(d)
    ),
    count: picks.length,
    imageIds: picks.map((i) => i.id),
    size: d.size,
    channels: d.channels
  }
}

export function datasetImages(
  studio: Studio,
  datasetId: number,
  { offset = 0, limit = 100 }: { offset?: number; limit?: number } = {}
): { items: DatasetImage[]; total: number } {
  const d = getDataset(studio, datasetId)
  const { rows, total } = studio.store.images.page(d.id, offset, limit)
  return { items: toDatasetImages(studio, d, rows), total }
}

/** Rows as the contract shows them: with their thumbnail's path and, in a face dataset, their face. */
export function toDatasetImages(studio: Studio, d: Dataset, rows: readonly ImageRow[]): DatasetImage[] {
  const dir = relative(studio.paths.home, studio.paths.dataset(d.id)).split('\\').join('/')
  const faces = d.fit === 'faces' ? studio.store.images.faces(d.id) : undefined
  return rows.map((r) => {
    const face = faces?.get(r.id)
    return {
      id: r.id,
      relPath: r.relPath,
      split: r.split ?? 'train',
      excluded: r.excluded,
      thumb: `${dir}/thumbs/${thumbName(r.sha256 ?? '')}`,
      ...(face && {
        face: {
          source: face.source,
          index: face.index,
          box: face.box,
          roll: face.roll,
          expressions: face.expressions
        }
      })
    }
  })
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
