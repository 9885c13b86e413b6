import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import type { SourcePhoto } from '../../shared/contract/datasets'
import type { FaceBox } from '../../shared/contract/domain'
import { notFound, StudioError } from '../../shared/errors'
import { BACKGROUND, DEFAULT_LIMITS } from '../imaging/decode'
import type { Studio } from './studio'

const scaled = (b: FaceBox, k: number): FaceBox => ({
  x: b.x * k,
  y: b.y * k,
  width: b.width * k,
  height: b.height * k
})

/**
 * The photo a face image was cut from, upright and shrunk to at most `maxSide` pixels, with the boxes of
 * every face the dataset took from it (in the returned picture's pixels) so the Datasets screen can draw them.
 * The photo must still be the one imported: the boxes belong to those pixels.
 */
export async function sourcePhoto(
  studio: Studio,
  { imageId, maxSide = 1024 }: { imageId: number; maxSide?: number }
): Promise<SourcePhoto> {
  const image = studio.store.images.get(imageId)
  if (!image) throw notFound(`Image ${imageId}`)
  const d = studio.store.datasets.get(image.datasetId)!
  const face = d.fit === 'faces' ? studio.store.images.faces(d.id).get(imageId) : undefined
  if (!face)
    throw new StudioError(
      'validation',
      `Image ${imageId} (${image.relPath}) is not a face image: dataset "${d.name}" was not imported with faces.`
    )
  if (!d.source)
    throw new StudioError(
      'unavailable',
      `Dataset "${d.name}" was imported from a list of files, so where ${face.source} is was not kept.`
    )
  const file = join(d.source, face.source)
  const s = await stat(file).catch(() => null)
  if (!s?.isFile()) throw new StudioError('not_found', `${file} is no longer there.`)
  if (s.size !== image.bytes || Math.trunc(s.mtimeMs) !== image.mtimeMs)
    throw new StudioError(
      'conflict',
      `${face.source} has changed since it was imported; import the folder again to see its faces.`
    )
  let out
  try {
    out = await sharp(file, { failOn: 'error', limitInputPixels: DEFAULT_LIMITS.maxPixels })
      .timeout({ seconds: DEFAULT_LIMITS.timeoutSeconds })
      .rotate()
      .flatten({ background: BACKGROUND })
      .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 85 })
      .toBuffer({ resolveWithObject: true })
  } catch (err) {
    throw new StudioError('failed', `${face.source} cannot be shown: ${(err as Error).message}`)
  }
  // The rows hold the upright photo's size, which the boxes are measured in.
  const k = out.info.width / (image.width ?? out.info.width)
  return {
    dataUrl: `data:image/jpeg;base64,${out.data.toString('base64')}`,
    width: out.info.width,
    height: out.info.height,
    source: face.source,
    faces: studio.store.images
      .photoFaces(d.id, face.source)
      .map((f) => ({ imageId: f.imageId, index: f.face.index, box: scaled(f.face.box, k) }))
  }
}
