import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { SampleSet } from '../../shared/contract/viewers'

const RELATIVE = join('samples', 'fashion-mnist')

/**
 * Where the bundled samples are: beside the app's resources in a packaged build (process.resourcesPath), else
 * found by walking up from this file to the repository's resources/ folder, which works from src/ (tsx, tests)
 * and from out/ (electron-vite build) alike.
 */
export function samplesRoot(): string {
  const packaged = (process as { resourcesPath?: string }).resourcesPath
  const candidates = packaged ? [join(packaged, RELATIVE), join(packaged, 'resources', RELATIVE)] : []
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    candidates.push(join(dir, 'resources', RELATIVE))
    if (dirname(dir) === dir) break
  }
  const found = candidates.find((c) => existsSync(join(c, 'images')))
  if (!found) throw new Error('The bundled sample images are missing from this installation.')
  return found
}

/** The folder of bundled sample images, ready to import. */
export const samplesFolder = (): string => join(samplesRoot(), 'images')

export function sampleSet(): SampleSet {
  const path = samplesFolder()
  return {
    path,
    name: 'Fashion-MNIST samples',
    count: readdirSync(path).filter((f) => f.endsWith('.png')).length,
    description: '300 greyscale 28×28 pictures of clothes, 30 of each of 10 kinds (Zalando Research).',
    license: 'MIT, Copyright (c) 2017 Zalando SE'
  }
}
