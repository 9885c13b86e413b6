// The training service end to end on a real (tiny) dataset: in-process training, checkpoints, previews,
// resume, the divergence guard, and evaluation.
import * as tf from '@tensorflow/tfjs'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { runTraining } from '../../src/main/services/training-run'
import { readCheckpoint } from '../../src/main/services/run-files'
import { loadRunModel } from '../../src/main/services/run-models'
import { sha256 } from '../../src/main/util/hash'
import { buildModel } from '../../src/engine/models/index'
import type { Autoencoder } from '../../src/engine/autoencoder'
import type { Studio } from '../../src/main/services/studio'
import {
  deleteRun,
  evalRun,
  InProcessTrainingHost,
  listRuns,
  resumeRun,
  startTraining
} from '../../src/main/services/training'
import type { TrainConfigInput } from '../../src/shared/config'
import type { TrainingEpoch } from '../../src/shared/contract/training'
import { importedStudio, SMALL_CONV } from '../helpers/studio'
import { JobControl } from '../../src/shared/control'
import { EPOCH_REPORT_KEYS } from '../helpers/expectations'

const EPOCH_KEYS = ['runId', ...EPOCH_REPORT_KEYS].sort()

let studio: Studio | undefined
afterEach(() => studio?.close())

async function setup(count = 16) {
  const s = await importedStudio({ count })
  studio = s.studio
  return s
}

const config = (over: Partial<TrainConfigInput> = {}): TrainConfigInput => ({
  ...SMALL_CONV,
  backend: 'wasm',
  ...over
})

function collect() {
  const events: { name: string; payload: Record<string, unknown> }[] = []
  const host = new InProcessTrainingHost((name, payload) =>
    events.push({ name, payload: payload as Record<string, unknown> })
  )
  const epochs = () =>
    events.filter((e) => e.name === 'training.epoch').map((e) => e.payload as unknown as TrainingEpoch)
  return { events, host, epochs }
}

describe('training service', () => {
  it('trains a run: epoch events, flat tensor count, checkpoints with hashes, previews, metrics', async () => {
    const { studio, datasetId, home } = await setup()
    const { events, host, epochs } = collect()
    const { run, finished } = startTraining(studio, { datasetId, config: config() }, host)
    expect(run.status).toBe('queued')
    const final = await finished
    expect(final).toMatchObject({ status: 'done', epochsDone: 3, backend: 'wasm' })
    expect(final.bestValLoss).toBeGreaterThan(0)

    const e = epochs()
    expect(e.map((x) => x.epoch)).toEqual([1, 2, 3])
    for (const x of e) expect(Object.keys(x).sort()).toEqual(EPOCH_KEYS)
    expect(e[1].tensors).toBe(e[2].tensors)
    expect(events.filter((x) => x.name === 'training.batch').length).toBeGreaterThanOrEqual(3)
    expect(events.filter((x) => x.name === 'training.status').map((x) => x.payload.status)).toEqual([
      'running',
      'done'
    ])

    const last = studio.store.artifacts.checkpoint(run.id, 'last')!
    expect(last).toMatchObject({ epoch: 3, file: `runs/${run.id}/checkpoints/epoch-0003.ckpt` })
    expect(sha256(readFileSync(join(home, last.file)))).toBe(last.sha256)
    const best = studio.store.artifacts.checkpoint(run.id, 'best')!
    expect(best.epoch).toBe(
      studio.store.runs.metrics(run.id).find((m) => m.valLoss === final.bestValLoss)!.epoch
    )
    expect(readCheckpoint(join(home, best.file), best.sha256).bestValLoss).toBe(final.bestValLoss)
    // Only the files `last` and `best` name are kept.
    const kept = readdirSync(join(home, 'runs', String(run.id), 'checkpoints')).map(
      (f) => `runs/${run.id}/checkpoints/${f}`
    )
    expect(kept.sort()).toEqual([...new Set([last.file, best.file])].sort())

    const previews = studio.store.artifacts.previews(run.id)
    expect(previews.map((p) => p.epoch)).toEqual([1, 2, 3])
    // 4 validation images of 16 px, enlarged 4× to 64 px tiles; originals above reconstructions.
    const meta = await sharp(join(home, previews[2].file)).metadata()
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 4 * 64, 2 * 64])
    expect(studio.store.runs.metrics(run.id).map((m) => m.epoch)).toEqual([1, 2, 3])
  })

  it('resumes at the next epoch from the last checkpoint and matches an uninterrupted run', async () => {
    const { studio, datasetId } = await setup()
    const full = collect()
    const first = await startTraining(studio, { datasetId, config: config({ epochs: 3 }) }, full.host)
      .finished

    const part = collect()
    const { run, finished } = startTraining(studio, { datasetId, config: config({ epochs: 2 }) }, part.host)
    expect((await finished).status).toBe('done')
    await expect(async () => resumeRun(studio, run.id, {}, part.host)).rejects.toThrow(
      /finished all 2 epochs/
    )
    await expect(async () => resumeRun(studio, run.id, { epochs: 2 }, part.host)).rejects.toThrow(
      /already trained 2 epochs/
    )
    const again = collect()
    const resumed = resumeRun(studio, run.id, { epochs: 3 }, again.host)
    const final = await resumed.finished
    expect(final).toMatchObject({ status: 'done', epochsDone: 3, epochs: 3 })
    expect(final.config.epochs).toBe(3)
    expect(again.epochs().map((e) => e.epoch)).toEqual([3])
    const a = full.epochs()[2]
    const b = again.epochs()[0]
    expect([b.loss, b.valLoss]).toEqual([a.loss, a.valLoss])
    expect(listRuns(studio).map((r) => r.id)).toEqual([run.id, first.id])
  })

  it('stops a diverging run with a clear error and keeps the last good checkpoint', async () => {
    const { studio, datasetId, home } = await setup()
    const run = studio.store.runs.create(
      datasetId,
      (await import('../../src/shared/config')).parseTrainConfig(config())
    )
    let calls = 0
    // The real model, except that the loss turns NaN two batches into epoch 2 (3 batches per epoch).
    const diverging = (c: Parameters<typeof buildModel>[0]): Autoencoder => {
      const m = buildModel(c)
      return {
        config: m.config,
        encoder: m.encoder,
        decoder: m.decoder,
        trainableVariables: m.trainableVariables,
        encode: (x) => m.encode(x),
        decode: (z) => m.decode(z),
        dispose: () => m.dispose(),
        loss(input, target, training, seed) {
          const terms = m.loss(input, target, training, seed)
          if (!training || ++calls <= 5) return terms
          // The original total stays alive: the gradient tape still refers to it (the step's tidy frees it).
          return { ...terms, total: tf.mul(terms.total, NaN) as tf.Scalar }
        }
      }
    }
    const emitted: string[] = []
    const err = await runTraining(
      studio,
      { runId: run.id },
      { control: new JobControl(), emit: (name) => emitted.push(name) },
      { buildModel: diverging }
    ).catch((e) => e)
    expect(err.message).toMatch(/loss became NaN in epoch 2/)
    const after = studio.store.runs.get(run.id)!
    expect(after.status).toBe('failed')
    expect(after.error).toMatch(/lower learning rate.*last good checkpoint \(epoch 1\) is kept/)
    expect(after.epochsDone).toBe(1)
    const last = studio.store.artifacts.checkpoint(run.id, 'last')!
    expect(last.epoch).toBe(1)
    const ckpt = readCheckpoint(join(home, last.file), last.sha256)
    expect(ckpt.weights.every((w) => w.data.every(Number.isFinite))).toBe(true)
    expect(emitted.filter((n) => n === 'training.epoch')).toHaveLength(1)
  })

  it('stops early when validation stops improving: records the epoch, keeps the best checkpoint and each rate', async () => {
    const { studio, datasetId } = await setup()
    const { parseTrainConfig } = await import('../../src/shared/config')
    const run = studio.store.runs.create(
      datasetId,
      parseTrainConfig(config({ epochs: 10, earlyStop: 2, lrSchedule: { kind: 'cosine' } }))
    )
    // The real model, except that its validation loss follows a script: best at epoch 2, then worse.
    const script = [0.5, 0.3, 0.4, 0.45, 0.2, 0.1]
    let validations = 0
    const scripted = (c: Parameters<typeof buildModel>[0]): Autoencoder => {
      const m = buildModel(c)
      return Object.assign(Object.create(m) as Autoencoder, {
        loss: (input: tf.Tensor4D, target: tf.Tensor4D, training: boolean, seed?: number) => {
          if (training) return m.loss(input, target, training, seed)
          const v = script[Math.min(validations++ >> 0, script.length - 1)]
          return { total: tf.scalar(v), recon: tf.scalar(v) }
        }
      })
    }
    const result = await runTraining(
      studio,
      { runId: run.id },
      { control: new JobControl(), emit: () => {} },
      { buildModel: scripted }
    )
    expect(result).toEqual({ runId: run.id, status: 'done', epochsDone: 4 })
    const after = studio.store.runs.get(run.id)!
    expect(after).toMatchObject({ status: 'done', epochsDone: 4, stoppedEarlyAt: 4 })
    expect(after.bestValLoss).toBeCloseTo(0.3, 6)
    expect(studio.store.artifacts.checkpoint(run.id, 'best')!.epoch).toBe(2)
    const rates = studio.store.runs.metrics(run.id).map((m) => m.lr!)
    // Cosine over 10 epochs: every epoch's rate is lower than the one before, all below the base rate.
    expect(rates).toHaveLength(4)
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeLessThan(rates[i - 1])
    expect(rates[0]).toBeLessThan(0.001)
  })

  it('evaluates a run on a folder, loads its model, and deletes it with its files', async () => {
    const { studio, datasetId, folder, home } = await setup()
    const { host } = collect()
    const { run, finished } = startTraining(studio, { datasetId, config: config({ epochs: 1 }) }, host)
    await finished
    writeFileSync(join(folder, 'notes.jpg'), 'not a picture')
    const r = await evalRun(studio, run.id, folder)
    expect(r.count).toBe(16)
    expect(r.mse).toBeGreaterThan(0)
    expect(r.mse).toBeLessThan(0.25)
    expect(r.psnr).toBeCloseTo(10 * Math.log10(1 / r.mse), 10)

    const { model, run: loaded } = await loadRunModel(studio, run.id)
    expect(loaded.id).toBe(run.id)
    const z = tf.tidy(() => model.encode(tf.zeros([1, 16, 16, 3])))
    expect(z.shape).toEqual([1, 8])
    z.dispose()
    model.dispose()

    await expect(evalRun(studio, 999, folder)).rejects.toThrow(/Run 999 was not found/)
    await expect(evalRun(studio, run.id, join(home, 'nothing-here'))).rejects.toMatchObject({
      code: 'not_found',
      message: `${join(home, 'nothing-here')} does not exist.`
    })
    expect(deleteRun(studio, run.id)).toBe(true)
    expect(studio.store.runs.get(run.id)).toBeUndefined()
    expect(() => readdirSync(join(home, 'runs', String(run.id)))).toThrow(/ENOENT/)
  })

  it('refuses a config that does not fit the dataset, and unknown datasets', async () => {
    const { studio, datasetId } = await setup(4)
    expect(() => startTraining(studio, { datasetId, config: config({ size: 32 }) })).toThrow(
      /holds 16×16 images .* asks for 32×32/
    )
    expect(() => startTraining(studio, { datasetId, config: config({ latent: 1 }) })).toThrow(
      /Invalid training settings: latent/
    )
    expect(() => startTraining(studio, { datasetId: 77, config: config() })).toThrow(
      /Dataset 77 was not found/
    )
    expect(studio.store.runs.list()).toEqual([])
  })
})
