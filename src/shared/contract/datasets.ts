import * as v from 'valibot'
import { call, event } from './define'
import type { Dataset, ExpressionScores, FaceBox } from './domain'

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
  /** For a face import (fit 'faces'); absent otherwise. */
  faces?: FaceCounts
}

export interface FaceCounts {
  /** Face images in the dataset (each `<file>#<n>`), as `imported` counts them. */
  images: number
  /** Photos those faces were cut from. */
  photos: number
  /** Faces found but left out, in the photos decoded this time: too few pixels between the eyes... */
  tooSmall: number
  /** ...or turned to the side, so there is no eye line to align on. */
  profiles: number
}

/** Where a face image's face is in its photo, and how the expression model scored it. */
export interface ImageFace {
  /** The photo, relative to the imported folder ('/'-separated); the image is named `<source>#<index>`. */
  source: string
  /** 1-based, left to right among the photo's faces kept. */
  index: number
  /** The detector's box, in the upright photo's pixels. */
  box: FaceBox
  /** Degrees the face was turned in the photo (its crop is level). */
  roll: number
  expressions: ExpressionScores
}

export interface DatasetImage {
  id: number
  relPath: string
  split: 'train' | 'val'
  excluded: boolean
  /** WebP of what the model sees, relative to the data directory. */
  thumb: string
  /** Set for images of a face dataset. */
  face?: ImageFace
}

/** A face image's source photo, shrunk for showing, with every face the dataset took from it. */
export interface SourcePhoto {
  /** JPEG data URL of the upright photo. */
  dataUrl: string
  /** The size of the picture in `dataUrl`; `faces` boxes are in these pixels. */
  width: number
  height: number
  /** The photo, relative to the imported folder. */
  source: string
  faces: { imageId: number; index: number; box: FaceBox }[]
}

export interface ImportProgress {
  jobId?: number
  done: number
  total: number
  /** Files per second so far. */
  rate: number
  etaSeconds: number | null
  file?: string
  /** Face imports: faces found so far (one file may hold several). */
  faces?: number
}

const id = v.pipe(v.number(), v.integer(), v.minValue(1))

const importFields = v.object({
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
  fit: v.optional(
    v.picklist(['cover', 'contain', 'attention', 'faces'], 'must be cover, contain, attention or faces')
  ),
  /** Face imports only: one image per photo (its largest face) or one per face. Default largest. */
  facesPerImage: v.optional(v.picklist(['largest', 'all'], 'must be largest or all')),
  /** Face imports only: 1 frames the face as aligned face sets do; 0.5 to 3. Default 1. */
  faceMargin: v.optional(
    v.pipe(
      v.number('must be a number'),
      v.minValue(0.5, 'must be at least 0.5'),
      v.maxValue(3, 'must be at most 3')
    )
  ),
  valFraction: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(0.9))),
  seed: v.optional(v.pipe(v.number(), v.integer()))
})

type ImportFields = v.InferOutput<typeof importFields>

/** The face settings mean nothing to the other fits: say so rather than ignore them. */
const forFacesOnly = (key: 'facesPerImage' | 'faceMargin') =>
  v.check((o: ImportFields) => o[key] === undefined || o.fit === 'faces', 'only applies with fit faces')

export const ImportOptionsSchema = v.pipe(
  importFields,
  v.forward(forFacesOnly('facesPerImage'), ['facesPerImage']),
  v.forward(forFacesOnly('faceMargin'), ['faceMargin'])
)
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
  'datasets.delete': call<boolean>()(v.object({ datasetId: id }), 'Deletes a dataset and its cached pixels.'),
  'datasets.sourcePhoto': call<SourcePhoto>()(
    v.object({
      imageId: id,
      maxSide: v.optional(v.pipe(v.number(), v.integer(), v.minValue(64), v.maxValue(4096)), 1024)
    }),
    'The photo a face image was cut from (shrunk to maxSide), with the boxes of every face taken from it.'
  )
}

export const datasetEvents = {
  'datasets.progress': event<ImportProgress>('Import progress: files done of total, rate and ETA.')
}
