import * as tf from '@tensorflow/tfjs'
import { augmentBatch } from '../../engine/augment'
import { tensorToImages } from '../../engine/model-ops'
import { pixelsToTensor } from '../../engine/pixels'
import { augmentPreviewSchema, type AugmentPreview } from '../../shared/contract/training'
import { StudioError } from '../../shared/errors'
import { parseOrThrow } from '../../shared/validation'
import { pngDataUrl } from '../exports/write'
import { trainingSample } from './datasets'
import type { Studio } from './studio'

// The backend is started once per process, as the viewers start theirs; a preview is a handful of small images.
let backend: Promise<unknown> | null = null
const ready = () =>
  (backend ??= import('../backends/activate')
    .then(({ initBackend }) => initBackend('auto'))
    .catch((err) => {
      backend = null
      throw err
    }))

/**
 * A few training images of a dataset augmented the way a training batch would be (engine/augment.ts), with the
 * given options and seed: the same seed draws the same transforms, so a person sees what an option changes.
 * The input is checked here as well as at the IPC boundary, defaults filled, so any caller may pass a partial one.
 */
export async function augmentPreview(studio: Studio, input: unknown): Promise<AugmentPreview> {
  const { datasetId, augment, count, seed } = parseOrThrow(
    augmentPreviewSchema,
    input,
    'Invalid augmentation preview'
  )
  const sample = trainingSample(studio, datasetId, count)
  if (sample.count === 0)
    throw new StudioError('validation', `Dataset ${datasetId} has no training images to preview.`)
  await ready()
  const out = tf.tidy(() =>
    augmentBatch(pixelsToTensor(sample.pixels, sample.count, sample.size, sample.channels), augment, seed)
  )
  let images
  try {
    images = await tensorToImages(out)
  } finally {
    out.dispose()
  }
  return {
    datasetId,
    size: sample.size,
    images: await Promise.all(
      images.map(async (image, i) => ({ imageId: sample.imageIds[i], dataUrl: await pngDataUrl(image) }))
    )
  }
}
