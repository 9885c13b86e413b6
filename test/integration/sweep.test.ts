// A tiny latent-size sweep end to end: one run per size with its validation error recorded (checked against an
// independent computation), the GIF with one frame per size, the grid, and `aestudio sweep --json`.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from '../../src/main/cli/aestudio'
import * as tf from '@tensorflow/tfjs'
import { encodeImages } from '../../src/engine/model-ops'
import { importFolder, loadTrainingData } from '../../src/main/services/datasets'
import { openStudio, type Studio } from '../../src/main/services/studio'
import {
  getSweep,
  startSweep,
  stopSweep,
  sweepExport,
  sweepGrid,
  validationMse
} from '../../src/main/services/sweep'
import { loadRunModel } from '../../src/main/services/run-models'
import { InProcessTrainingHost } from '../../src/main/services/training'
import type { Sweep, SweepProgress } from '../../src/shared/contract/sweep'
import { defaultAugmentFor, defaultBatchFor } from '../../src/shared/train-options'
import { makeImageFolder } from '../helpers/images'

const SIZE = 16
let home: string
let studio: Studio
let datasetId: number
let sweep: Sweep
const config = { model: 'conv', size: SIZE, channels: 1, epochs: 1, batch: 8 } as const

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'aestudio-sweep-'))
  await makeImageFolder(join(home, 'images'), 12, 24)
  studio = openStudio({ home })
  datasetId = (
    await importFolder(studio, { paths: [join(home, 'images')], size: SIZE, channels: 1, valFraction: 0.25 })
  ).datasetId
  const events: { name: string; payload: unknown }[] = []
  const emit = (name: string, payload: unknown) => events.push({ name, payload })
  const started = startSweep(
    studio,
    { datasetId, config, latents: [2, 4] },
    new InProcessTrainingHost(emit),
    emit
  )
  sweep = await started.finished
  expect(events.filter((e) => e.name === 'sweep.progress')).toHaveLength(4)
  expect(events.some((e) => e.name === 'training.epoch')).toBe(true)
})

afterAll(() => {
  studio.close()
  rmSync(home, { recursive: true, force: true })
})

/** MSE of a run's best model on the validation split, computed here: encode, decode to floats, compare. */
async function independentMse(runId: number): Promise<number> {
  const data = await loadTrainingData(studio, datasetId)
  const { model } = await loadRunModel(studio, runId, 'best')
  try {
    const codes = await encodeImages(model, data.val, data.valCount)
    const flat = Float32Array.from(codes.flatMap((c) => Array.from(c)))
    const out = tf.tidy(() => model.decode(tf.tensor2d(flat, [codes.length, codes[0].length])))
    const values = await out.data()
    out.dispose()
    let sum = 0
    for (let i = 0; i < values.length; i++) sum += (values[i] - data.val[i] / 255) ** 2
    return sum / values.length
  } finally {
    model.dispose()
  }
}

describe('latent-size sweep', () => {
  it('trains one run per latent size and records each validation error', async () => {
    expect(sweep.status).toBe('done')
    expect(sweep.results.map((r) => r.latent)).toEqual([2, 4])
    expect(new Set(sweep.results.map((r) => r.runId)).size).toBe(2)
    for (const r of sweep.results) {
      const runRow = studio.store.runs.get(r.runId)!
      expect(runRow.config.latent).toBe(r.latent)
      expect(runRow.status).toBe('done')
      // Augmentation unset: the small dataset's default, as a single run gets it; the batch asked for is kept.
      expect(runRow.config.augment).toEqual(
        defaultAugmentFor(studio.store.datasets.get(datasetId)!.trainCount)
      )
      expect(runRow.config.batch).toBe(8)
      expect(r.valMse).toBeCloseTo(await independentMse(r.runId), 6)
    }
    expect(getSweep(studio, sweep.id)).toEqual(sweep)
  })

  it('gives every size the dataset-size batch default when the config leaves the batch unset', async () => {
    const { batch: _, ...noBatch } = config
    const started = startSweep(
      studio,
      { datasetId, config: noBatch, latents: [2] },
      new InProcessTrainingHost()
    )
    const done = await started.finished
    const runRow = studio.store.runs.get(done.results[0].runId)!
    const trainCount = studio.store.datasets.get(datasetId)!.trainCount
    expect(defaultBatchFor(trainCount)).not.toBe(32)
    expect(runRow.config.batch).toBe(defaultBatchFor(trainCount))
  })

  it('writes a GIF with one frame per latent size and a grid with a row per size', async () => {
    const out = join(home, 'out', 'sweep.gif')
    const r = await sweepExport(studio, { sweepId: sweep.id, count: 3, out, delay: 500, loop: 0 })
    expect(r).toMatchObject({ frames: 2, latents: [2, 4], format: 'gif' })
    const meta = await sharp(out, { pages: -1 }).metadata()
    expect(meta.pages).toBe(2)
    // Each frame names its latent size in a band above the images: the bands differ, the originals do not.
    const page = async (n: number) =>
      new Uint8Array(await sharp(out, { page: n }).greyscale().raw().toBuffer())
    const [a, b] = [await page(0), await page(1)]
    const w = meta.width!
    const bandRows = 14
    expect(a.subarray(0, w * bandRows)).not.toEqual(b.subarray(0, w * bandRows))
    expect(a.subarray(w * (bandRows + 2), w * (bandRows + 2 + 64))).toEqual(
      b.subarray(w * (bandRows + 2), w * (bandRows + 2 + 64))
    )
    const grid = await sweepGrid(studio, { sweepId: sweep.id, count: 3 })
    expect(grid.rows).toEqual(['original', 'latent 2', 'latent 4'])
    expect(grid.columns).toBe(3)
    expect(grid.dataUrl).toMatch(/^data:image\/png;base64,/)
  })

  it('leaves no tensors behind measuring errors and drawing grids', async () => {
    const data = await loadTrainingData(studio, datasetId)
    const before = tf.memory().numTensors
    const mse = await validationMse(studio, sweep.results[0].runId, data)
    await sweepGrid(studio, { sweepId: sweep.id, count: 2 })
    expect(tf.memory().numTensors).toBe(before)
    expect(mse).toBe(sweep.results[0].valMse)
  })

  it('refuses bad latent lists and stopping a sweep that is not training, in plain words', () => {
    const host = new InProcessTrainingHost()
    expect(() => startSweep(studio, { datasetId, config, latents: [2, 2] }, host)).toThrow(
      /each latent size once/
    )
    expect(() => startSweep(studio, { datasetId, config, latents: [1] }, host)).toThrow(/at least 2/)
    expect(() => stopSweep(studio, sweep.id)).toThrow(/not training/)
  })

  it('stopped between sizes keeps the finished ones and starts no further run', async () => {
    const progress: SweepProgress[] = []
    let id = 0
    const emit = (name: string, payload: unknown) => {
      if (name !== 'sweep.progress') return
      const p = payload as SweepProgress
      progress.push(p)
      if (p.index === 0 && p.runStatus === 'done') stopSweep(studio, id)
    }
    const runsBefore = studio.store.runs.list().length
    const started = startSweep(
      studio,
      { datasetId, config, latents: [2, 4, 8] },
      new InProcessTrainingHost(),
      emit
    )
    id = started.sweep.id
    const final = await started.finished
    expect(final.status).toBe('stopped')
    expect(final.results.map((r) => r.latent)).toEqual([2])
    expect(progress.at(-1)).toMatchObject({ index: 1, latent: 4, runId: null, runStatus: 'stopped' })
    expect(studio.store.runs.list().length).toBe(runsBefore + 1)
  })

  it('aestudio sweep --json reports a run per latent and writes the GIF', async () => {
    const out = join(home, 'out', 'cli.gif')
    const lines: string[] = []
    const errs: string[] = []
    process.env.AESTUDIO_HOME = home
    try {
      const code = await run(
        [
          'sweep',
          String(datasetId),
          '--latents',
          '2,4',
          '--epochs',
          '1',
          '--batch',
          '8',
          '--out',
          out,
          '--json'
        ],
        { out: (t) => void lines.push(t), err: (t) => void errs.push(t), interactive: false }
      )
      expect(errs).toEqual([])
      expect(code).toBe(0)
    } finally {
      delete process.env.AESTUDIO_HOME
    }
    const json = JSON.parse(lines.join('\n'))
    expect(json.runs.map((r: { latent: number }) => r.latent)).toEqual([2, 4])
    for (const r of json.runs) expect(r.valMse).toBeGreaterThan(0)
    expect(json).toMatchObject({ status: 'done', out, frames: 2 })
    expect((await sharp(out, { pages: -1 }).metadata()).pages).toBe(2)
    const bad = await run(['sweep', String(datasetId), '--latents', '2,x'], {
      out: () => {},
      err: (t) => void errs.push(t),
      interactive: false
    })
    expect(bad).toBe(2)
    expect(errs.at(-1)).toMatch(/whole numbers/)
    // --latent (one size) is a train flag a sweep would silently override: refused instead.
    const single = await run(['sweep', String(datasetId), '--latents', '2,4', '--latent', '8'], {
      out: () => {},
      err: (t) => void errs.push(t),
      interactive: false
    })
    expect(single).toBe(2)
    expect(errs.at(-1)).toMatch(/give --latents/)
  })
})
