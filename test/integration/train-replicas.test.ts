// A training run on wasm uses every core as data-parallel replicas, and its backend notes say so.
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { defaultWasmThreads, replicasNote } from '../../src/main/backends/wasm-threads'
import { importFolder } from '../../src/main/services/datasets'
import { openStudio, type Studio } from '../../src/main/services/studio'
import { InProcessTrainingHost, startTraining } from '../../src/main/services/training'
import { makeImageFolder } from '../helpers/images'
import { tempDir } from '../helpers/tmp'

let studio: Studio | undefined
afterEach(() => studio?.close())

describe('training on wasm', () => {
  it.skipIf(availableParallelism() < 2)('trains on all cores as replicas and records it', async () => {
    const home = tempDir()
    await makeImageFolder(join(home, 'images'), 16, 16)
    studio = openStudio({ home })
    const { datasetId } = await importFolder(studio, {
      paths: [join(home, 'images')],
      size: 16,
      channels: 3,
      valFraction: 0.25
    })
    const config = { model: 'vae' as const, size: 16, channels: 3 as const, latent: 8, epochs: 2, batch: 4 }
    const { run, finished } = startTraining(
      studio,
      { datasetId, config: { ...config, backend: 'wasm' } },
      new InProcessTrainingHost(() => {})
    )
    expect(await finished).toMatchObject({ status: 'done', epochsDone: 2, backend: 'wasm' })
    expect(studio.store.runs.get(run.id)!.backendNotes).toEqual([replicasNote(defaultWasmThreads())])
  })
})
