// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiError } from '../../src/renderer/src/api/client'
import { useTrainingStore } from '../../src/renderer/src/stores/training'
import { provideApi } from '../../src/renderer/src/studio'
import type { Run } from '../../src/shared/contract/domain'
import type { TrainingEpoch } from '../../src/shared/contract/training'
import { fakeApi } from './fake-api'
import { epochMetrics, run, trainConfig } from './fixtures'

/** A latent-16 run of 2 epochs on dataset 1, not started yet. */
const queued = (overrides: Partial<Run> = {}) =>
  run({
    id: 7,
    status: 'queued',
    config: trainConfig({ latent: 16, epochs: 2 }),
    epochsDone: 0,
    bestValLoss: null,
    startedAt: null,
    finishedAt: null,
    ...overrides
  })

const epoch = (runId: number, e: number, valLoss = 0.5 / e): TrainingEpoch => ({
  runId,
  epoch: e,
  epochs: 2,
  loss: 0.4 / e,
  recon: 0.4 / e,
  kl: null,
  valLoss,
  imagesPerSecond: 40,
  seconds: 2,
  etaSeconds: 2,
  tensors: 20,
  rss: 1e8,
  lr: 0.001
})

describe('training store', () => {
  let fake: ReturnType<typeof fakeApi>
  beforeEach(() => {
    setActivePinia(createPinia())
    fake = fakeApi({
      'training.start': () => queued({ backend: null }),
      'runs.get': () => queued({ status: 'running', backend: 'wasm', startedAt: '2026-01-01T00:00:01Z' }),
      'training.pause': () => queued({ status: 'paused' }),
      'runs.metrics': () => [
        epochMetrics({ epoch: 1, loss: 1, recon: 1, valLoss: 1.2, imagesPerSecond: 1 }),
        epochMetrics({ epoch: 2, loss: 0.5, recon: 0.5, valLoss: 0.6, imagesPerSecond: 1 })
      ],
      'runs.previews': () => [{ epoch: 2, file: 'runs/3/preview-2.png' }]
    })
    provideApi(fake.api)
  })

  it('starts a run with the form as config and appends each epoch event to the chart data', async () => {
    const s = useTrainingStore()
    s.datasetId = 1
    s.setLatent(16)
    await s.start()
    expect(fake.calls[0]).toMatchObject({
      name: 'training.start',
      input: { datasetId: 1, config: { latent: 16 } }
    })
    expect(s.run?.id).toBe(7)
    const rev = s.revision
    fake.emit('training.epoch', epoch(7, 1))
    fake.emit('training.epoch', epoch(99, 1)) // another run's event: ignored
    fake.emit('training.epoch', epoch(7, 2))
    expect(s.buffers.train).toEqual([
      { x: 1, y: 0.4 },
      { x: 2, y: 0.2 }
    ])
    expect(s.buffers.val.map((p) => p.y)).toEqual([0.5, 0.25])
    expect(s.revision).toBe(rev + 2)
    expect(s.run?.epochsDone).toBe(2)
    expect(s.run?.bestValLoss).toBe(0.25)
    expect(s.lastEpoch?.etaSeconds).toBe(2)
  })

  it('adds reconstruction and KL lines when a VAE reports KL', async () => {
    const s = useTrainingStore()
    s.datasetId = 1
    await s.start()
    expect(s.series.map((l) => l.label)).toEqual(['training', 'validation'])
    fake.emit('training.epoch', { ...epoch(7, 1), recon: 0.3, kl: 0.1 })
    // The learning rate comes last, on its own axis.
    expect(s.series.map((l) => l.label)).toEqual([
      'training',
      'validation',
      'reconstruction',
      'KL',
      'learning rate'
    ])
    expect(s.series[3].points).toEqual([{ x: 1, y: 0.1 }])
  })

  it('follows status and preview events, and shows a failure in plain words', async () => {
    const s = useTrainingStore()
    s.datasetId = 1
    await s.start()
    fake.emit('training.status', { runId: 7, status: 'running', epochsDone: 0, error: null })
    expect(s.live).toBe(true)
    // The status event does not say which backend was chosen; the refreshed run row does.
    await new Promise((r) => setTimeout(r, 0))
    expect(s.run?.backend).toBe('wasm')
    fake.emit('training.preview', { runId: 7, epoch: 1, file: 'runs/7/previews/1.png' })
    expect(s.previews).toEqual([{ epoch: 1, file: 'runs/7/previews/1.png' }])
    fake.emit('training.status', { runId: 7, status: 'failed', epochsDone: 1, error: 'The loss became NaN.' })
    expect(s.live).toBe(false)
    expect(s.error).toBe('The loss became NaN.')
  })

  it('pauses through the contract', async () => {
    const s = useTrainingStore()
    s.datasetId = 1
    await s.start()
    await s.control('pause')
    expect(fake.calls.at(-1)).toEqual({ name: 'training.pause', input: { runId: 7 } })
    expect(s.status).toBe('paused')
  })

  it('puts validation errors next to their fields', async () => {
    fake.handlers['training.start'] = () => {
      throw new ApiError({
        code: 'validation',
        message: 'Invalid input',
        issues: ['config.latent: must be at most 512']
      })
    }
    const s = useTrainingStore()
    s.datasetId = 1
    await s.start()
    expect(s.error).toBe('Invalid input')
    expect(s.fieldErrors).toEqual({ latent: 'must be at most 512' })
    expect(s.run).toBeNull()
  })

  it('asks for a dataset before starting', async () => {
    const s = useTrainingStore()
    await s.start()
    expect(s.error).toMatch(/Pick a dataset/)
    expect(fake.calls).toHaveLength(0)
  })

  it('takes latent and backend defaults from Settings until the person overrides them, never the size', () => {
    const s = useTrainingStore()
    s.form.size = 32 // from the dataset
    s.applyDefaults({ latent: 8, backend: 'wasm' })
    expect(s.form).toMatchObject({ latent: 8, backend: 'wasm', size: 32 })
    s.setLatent(24)
    s.setBackend('cpu')
    s.applyDefaults({ latent: 64, backend: 'auto' })
    expect(s.form).toMatchObject({ latent: 24, backend: 'cpu', size: 32 })
  })

  it('shows an existing run with its metrics so far, then keeps appending', async () => {
    const s = useTrainingStore()
    await s.show(queued({ id: 3, status: 'running', epochsDone: 2 }))
    expect(s.buffers.train.map((p) => p.x)).toEqual([1, 2])
    expect(s.previews).toHaveLength(1)
    fake.emit('training.epoch', epoch(3, 3))
    expect(s.buffers.train.map((p) => p.x)).toEqual([1, 2, 3])
    expect(fake.listenerCount('training.epoch')).toBe(1)
  })
})
