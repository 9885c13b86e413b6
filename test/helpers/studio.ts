import { join } from 'node:path'
import type { TrainConfigInput } from '../../src/shared/config'
import { importFolder } from '../../src/main/services/datasets'
import { openStudio } from '../../src/main/services/studio'
import { makeImageFolder } from './images'
import { tempDir } from './tmp'

/**
 * A fresh data directory with `count` generated 16×16 images in `home/images`, imported at 16 px with a quarter
 * held out for validation: what the training tests train on. The caller closes the studio.
 */
export async function importedStudio({
  count = 16,
  channels = 3
}: { count?: number; channels?: 1 | 3 } = {}) {
  const home = tempDir()
  const folder = join(home, 'images')
  await makeImageFolder(folder, count, 16)
  const studio = openStudio({ home })
  try {
    const { datasetId } = await importFolder(studio, {
      paths: [folder],
      size: 16,
      channels,
      valFraction: 0.25
    })
    return { home, folder, studio, datasetId }
  } catch (err) {
    studio.close()
    throw err
  }
}

/** A small conv model sized for `importedStudio`'s 16×16 colour images. */
export const SMALL_CONV = {
  model: 'conv',
  size: 16,
  channels: 3,
  latent: 8,
  epochs: 3,
  batch: 4
} as const satisfies TrainConfigInput
