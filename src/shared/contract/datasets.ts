import * as v from 'valibot'
import { call, event } from './define'
import type { Dataset } from './domain'

export interface SkippedFile {
  /** Relative to the imported folder, '/'-separated. */
  file: string
  /** Why, in plain words ("empty file", "truncated or corrupt JPEG", ...). */
  reason: string
}

/** What an import did; `aestudio import --json` prints the first six fields. */
export interface ImportResult {
  datasetId: number
  /** Images in the dataset after the import. */
  imported: number
  /** Files with the same bytes as an imported image: kept once, counted here. */
  duplicates: number
  skipped: SkippedFile[]
  size: number
  channels: 1 | 3
  /** Files actually decoded this time (0 when re-importing an unchanged folder). */
  decoded: number
  /** Images of an earlier import whose files are gone. */
  removed: number
}

export interface DatasetImage {
  id: number
  relPath: string
  split: 'train' | 'val'
  excluded: boolean
  /** WebP of what the model sees, relative to the data directory. */
  thumb: string
}

export interface ImportProgress {
  jobId?: number
  done: number
  total: number
  /** Files per second so far. */
  rate: number
  etaSeconds: number | null
  file?: string
}

const id = v.pipe(v.number(), v.integer(), v.minValue(1))

export const ImportOptionsSchema = v.object({
  paths: v.pipe(
    v.array(v.pipe(v.string(), v.minLength(1))),
    v.minLength(1, 'give at least one folder or file')
  ),
  name: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200))),
  size: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(8),
      v.maxValue(512),
      v.check((n) => n % 8 === 0, 'must be a multiple of 8')
    )
  ),
  channels: v.optional(v.picklist([1, 3])),
  fit: v.optional(v.picklist(['cover', 'contain', 'attention'])),
  valFraction: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(0.9))),
  seed: v.optional(v.pipe(v.number(), v.integer()))
})
export type ImportOptions = v.InferOutput<typeof ImportOptionsSchema>

export const datasetCalls = {
  'datasets.list': call<Dataset[]>()(v.optional(v.undefined()), 'Every imported dataset, newest first.'),
  'datasets.get': call<Dataset>()(v.object({ datasetId: id }), 'One dataset with its counts.'),
  'datasets.import': call<ImportResult>()(
    ImportOptionsSchema,
    'Imports a folder (or files) in a job process; progress comes as datasets.progress events.'
  ),
  'datasets.cancelImport': call<boolean>()(
    v.optional(v.object({ jobId: v.optional(id) })),
    'Cancels a running import (the given one, or all); the dataset stays as it was.'
  ),
  'datasets.images': call<{ items: DatasetImage[]; total: number }>()(
    v.object({
      datasetId: id,
      offset: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
      limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)), 100)
    }),
    'A page of a dataset images in cache order, with thumbnails.'
  ),
  'datasets.skipped': call<SkippedFile[]>()(
    v.object({ datasetId: id }),
    'Files of the folder that were not imported, and why.'
  ),
  'datasets.exclude': call<boolean>()(
    v.object({ imageId: id, excluded: v.boolean() }),
    'Leaves an image out of training (or puts it back).'
  ),
  'datasets.delete': call<boolean>()(v.object({ datasetId: id }), 'Deletes a dataset and its cached pixels.')
}

export const datasetEvents = {
  'datasets.progress': event<ImportProgress>('Import progress: files done of total, rate and ETA.')
}
