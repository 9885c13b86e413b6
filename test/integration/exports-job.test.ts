// The app's long exports run in a job process: the handler starts it, relays its progress events and keeps its
// error codes, while the calling process stays free.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import * as v from 'valibot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHandlers } from '../../src/main/handlers/index'
import { forkLauncher, JobHost } from '../../src/main/jobs/host'
import { EventHub } from '../../src/main/rpc/events'
import { StudioError } from '../../src/shared/errors'
import { importFolder } from '../../src/main/services/datasets'
import { openStudio, type Studio } from '../../src/main/services/studio'
import { startTraining } from '../../src/main/services/training'
import { latentMapSchema, morphExportSchema } from '../../src/shared/contract/viewers'
import { makeImageFolder } from '../helpers/images'

let home: string
let studio: Studio
let runId: number
let files: string[]

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'aestudio-exports-job-'))
  const folder = join(home, 'images')
  files = await makeImageFolder(folder, 12, 32)
  studio = openStudio({ home })
  const { datasetId } = await importFolder(studio, { paths: [folder], size: 16, channels: 1 })
  const { finished } = startTraining(studio, {
    datasetId,
    config: { model: 'conv', latent: 4, size: 16, channels: 1, epochs: 1, batch: 4 }
  })
  runId = (await finished).id
})

afterAll(() => {
  studio.close()
  rmSync(home, { recursive: true, force: true })
})

describe('exports in a job process', () => {
  it('writes a morph GIF from a job process and relays its progress', async () => {
    const events = new EventHub()
    const progress: { done: number; total: number }[] = []
    events.subscribe((name, payload) => {
      if (name === 'exports.progress') progress.push(payload as { done: number; total: number })
    })
    const pids: (number | undefined)[] = []
    const launcher = () => {
      const proc = forkLauncher()
      pids.push(proc.pid)
      return proc
    }
    const handlers = createHandlers({ studio, events }, new JobHost(home, launcher))
    const out = join(home, 'morph.gif')
    const result = await handlers['morph.export'](
      v.parse(morphExportSchema, { runId, keyframes: [files[0], files[1]], out, frames: 5, size: 32 })
    )
    expect(result.frames).toBe(5)
    expect(pids).toHaveLength(1)
    expect(pids[0]).not.toBe(process.pid)
    expect((await sharp(out).metadata()).pages).toBe(5)
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total)
    // The export is recorded in the store by the job process, visible here.
    expect(studio.store.artifacts.exports(runId).map((e) => e.file)).toContain(out)
  })

  it('keeps the error code of a failure inside the job (unknown run → not_found)', async () => {
    const handlers = createHandlers({ studio, events: new EventHub() })
    const err = await Promise.resolve(
      handlers['latent.map'](v.parse(latentMapSchema, { runId: 9999 }))
    ).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StudioError)
    expect((err as StudioError).code).toBe('not_found')
  })
})
