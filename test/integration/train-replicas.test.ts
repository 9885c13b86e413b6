// A training run on wasm uses every core as data-parallel replicas, and its backend notes say so.
import { availableParallelism } from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import { defaultWasmThreads, replicasNote } from '../../src/main/backends/wasm-threads'
import type { Studio } from '../../src/main/services/studio'
import { InProcessTrainingHost, startTraining } from '../../src/main/services/training'
import { importedStudio } from '../helpers/studio'

let studio: Studio | undefined
afterEach(() => studio?.close())

describe('training on wasm', () => {
  it.skipIf(availableParallelism() < 2)('trains on all cores as replicas and records it', async () => {
    const s = await importedStudio()
    studio = s.studio
    const { datasetId } = s
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
