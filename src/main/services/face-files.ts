import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { StudioError } from '../../shared/errors'
import { decodeUpright, DecodeError, type Preprocessing } from '../imaging/decode'
import { alignTransform } from '../imaging/faces/geometry'
import { findFaces, type FaceModels } from '../imaging/faces/index'
import { FACE_BACKENDS } from '../imaging/faces/open'
import { warp } from '../imaging/faces/warp'
import type { StoredFace } from '../store/repositories/images'

// Images for a face run that are not in its dataset's pixel cache: a face image of another face dataset
// (cut again from its photo by the eyes stored at import, no models needed), or any photo a user picks
// (its largest face found and aligned like the dataset's crops).

const readPhoto = async (file: string): Promise<Buffer> => {
  try {
    return await readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new StudioError('not_found', `${file} does not exist.`)
    throw new StudioError('failed', `${file} cannot be read: ${(err as Error).message}`)
  }
}

const plain = (file: string, err: unknown) =>
  err instanceof DecodeError ? new StudioError('validation', `${basename(file)}: ${err.reason}.`) : err

/** A stored face cut again from its photo at another size, grey or colour, or margin. */
export async function recutFace(
  photo: string,
  face: Pick<StoredFace, 'eyes'>,
  prep: Preprocessing
): Promise<Uint8Array> {
  const data = await readPhoto(photo)
  try {
    const src = await decodeUpright(data)
    return await warp(
      src,
      alignTransform(face.eyes, prep.size, prep.faces?.margin ?? 1),
      prep.size,
      prep.channels
    )
  } catch (err) {
    throw plain(photo, err)
  }
}

/**
 * Runs `fn` with the face models on the backend already active here. Only loads them beside a run's model
 * when that backend can run them: switching backends would move the run's weights with it.
 */
export async function withFaceModelsHere<T>(fn: (models: FaceModels) => Promise<T>): Promise<T> {
  const tf = await import('@tensorflow/tfjs')
  const active = tf.getBackend()
  if (!(FACE_BACKENDS as readonly string[]).includes(active) && active !== 'cpu')
    throw new StudioError(
      'unavailable',
      `Finding faces needs the ${FACE_BACKENDS.join(' or ')} backend, and this run's model is on ${active}. ` +
        'Pick images of the face dataset instead, or import the photos with faces.'
    )
  const { loadFaceModels } = await import('../imaging/faces/models')
  const models = await loadFaceModels()
  try {
    return await fn(models)
  } finally {
    models.dispose()
  }
}

/** A photo as a face run's model sees it: its largest face, aligned and cut like the dataset's crops. */
export async function largestFace(
  models: FaceModels,
  file: string,
  prep: Preprocessing
): Promise<Uint8Array> {
  const data = await readPhoto(file)
  let found
  try {
    found = await findFaces(models, data, {
      size: prep.size,
      channels: prep.channels,
      perImage: 'largest',
      margin: prep.faces?.margin ?? 1
    })
  } catch (err) {
    throw plain(file, err)
  }
  if (found.skipped) throw new StudioError('validation', `${basename(file)}: ${found.skipped}.`)
  return found.crops[0].pixels
}
