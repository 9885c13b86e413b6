// The GPU worker protocol end to end in Node: runTraining with a `gpuWorker` (as the app's training job has)
// drives the page-side handler (serveGpuSession, what the GPU worker page runs) over a worker_threads
// MessageChannel. The page's backend here is wasm (or cpu) standing in for Chromium's WebGPU; the e2e
// test runs the real page on WebGPU. Pause/resume/stop, and the faults: a `lost` message and a port closed
// mid-run leave the run interrupted with its last checkpoint intact, and it resumes on wasm.
import * as tf from '@tensorflow/tfjs'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { MessageChannel } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { initBackend, probeBackends } from '../../src/main/backends/activate'
import { readCheckpoint } from '../../src/main/services/run-files'
import type { Studio } from '../../src/main/services/studio'
import { InProcessTrainingHost, resumeRun } from '../../src/main/services/training'
import { runTraining, type TrainResult } from '../../src/main/services/training-run'
import { sha256 } from '../../src/main/util/hash'
import {
  webPortChannel,
  type BackendRequest,
  type FromGpuWorker,
  type ToGpuWorker,
  type WebMessagePort
} from '../../src/engine/gpu/protocol'
import { serveGpuSession, type ServedSession } from '../../src/engine/gpu/worker-session'
import { parseTrainConfig, type TrainConfigInput } from '../../src/shared/config'
import type { GpuAdapterInfo } from '../../src/shared/contract/app'
import type { TrainingEpoch } from '../../src/shared/contract/training'
import { JobControl } from '../../src/shared/control'
import { importedStudio, SMALL_CONV } from '../helpers/studio'

let studio: Studio | undefined
afterEach(() => studio?.close())

async function setup() {
  const s = await importedStudio()
  studio = s.studio
  return s
}

const CONFIG: TrainConfigInput = { ...SMALL_CONV, seed: 5, backend: 'webgpu' }

const ADAPTER: GpuAdapterInfo = {
  vendor: 'test',
  architecture: 'cpu',
  device: '',
  description: 'tfjs standing in for WebGPU',
  isFallbackAdapter: false
}

/** What the test sees of the page: its requests, its session, and switches to break it. */
interface FakePage {
  requests: BackendRequest[]
  served?: ServedSession
  /** The page's own end of the port (closing it is the window going away). */
  port?: WebMessagePort
  /** Resolves the backend's `lost` promise, as a destroyed GPU device does. */
  loseDevice(reason: string): void
}

/**
 * A `gpuWorker` connector whose page is serveGpuSession in this process, on `backend`. `unavailable` makes
 * its backend refuse to start, with that message.
 */
function fakeGpuWorker({
  unavailable,
  backend = 'wasm'
}: { unavailable?: string; backend?: 'wasm' | 'cpu' } = {}) {
  let loseDevice!: (reason: string) => void
  const lost = new Promise<string>((resolve) => (loseDevice = resolve))
  const page: FakePage = { requests: [], loseDevice: (reason) => loseDevice(reason) }
  const connect = async () => {
    const { port1, port2 } = new MessageChannel()
    const pagePort = port2 as unknown as WebMessagePort
    page.port = pagePort
    page.served = serveGpuSession(webPortChannel<ToGpuWorker, FromGpuWorker>(pagePort), {
      startBackend: async (request) => {
        page.requests.push(request)
        if (unavailable) throw new Error(unavailable)
        await initBackend(backend)
        return { name: 'webgpu', adapter: ADAPTER, notes: [`webgpu: tfjs ${backend} in the fake page`], lost }
      },
      residentBytes: () => 4242,
      lostGraceMs: 50
    })
    return webPortChannel<FromGpuWorker, ToGpuWorker>(port1 as unknown as WebMessagePort)
  }
  return { page, connect }
}

interface Recorded {
  name: string
  payload: Record<string, unknown>
}

/** Runs `runTraining` on a new run; `on` sees every event as it is emitted (and may act on it). */
async function train(
  s: Studio,
  datasetId: number,
  over: Partial<TrainConfigInput>,
  gpuWorker: (() => Promise<ReturnType<typeof webPortChannel<FromGpuWorker, ToGpuWorker>>>) | undefined,
  on: (e: Recorded, control: JobControl) => void = () => {}
) {
  const run = s.store.runs.create(datasetId, parseTrainConfig({ ...CONFIG, ...over }))
  const control = new JobControl()
  const events: Recorded[] = []
  const result: TrainResult = await runTraining(
    s,
    // One wasm thread in this process: on more, the batch splits across replicas and sums in another order
    // than the page's single-threaded wasm, so "same numbers" would not hold to the last bit.
    { runId: run.id, ...(gpuWorker ? {} : { threads: 1 }) },
    {
      control,
      emit: (name, payload) => {
        const e = { name, payload: payload as Record<string, unknown> }
        events.push(e)
        on(e, control)
      }
    },
    { gpuWorker }
  )
  const epochs = events
    .filter((e) => e.name === 'training.epoch')
    .map((e) => e.payload as unknown as TrainingEpoch)
  return { runId: run.id, result, events, epochs }
}

const lastCheckpoint = (s: Studio, home: string, runId: number) => {
  const last = s.store.artifacts.checkpoint(runId, 'last')!
  const bytes = readFileSync(join(home, last.file))
  return { last, bytes, data: readCheckpoint(join(home, last.file), last.sha256) }
}

/** The page's session stops at its next batch once its port is gone; its tensors go with it. */
async function tensorsSettle(baseline: number, ms = 10_000): Promise<number> {
  const until = Date.now() + ms
  while (tf.memory().numTensors !== baseline && Date.now() < until)
    await new Promise((r) => setTimeout(r, 20))
  return tf.memory().numTensors
}

describe('training through the GPU worker protocol', () => {
  it('trains exactly as runSession does in this process: same weights, checkpoints, previews, events', async () => {
    const { studio, datasetId, home } = await setup()
    const local = await train(studio, datasetId, { backend: 'wasm', epochs: 2 }, undefined)
    const baseline = tf.memory().numTensors
    const gpu = fakeGpuWorker()
    const remote = await train(studio, datasetId, { epochs: 2 }, gpu.connect)

    expect(remote.result).toEqual({ runId: remote.runId, status: 'done', epochsDone: 2 })
    expect(gpu.page.requests).toEqual([{ backends: ['webgpu'], allowSoftware: false }])
    const row = studio.store.runs.get(remote.runId)!
    expect(row).toMatchObject({ status: 'done', epochsDone: 2, backend: 'webgpu' })
    expect(row.backendNotes).toEqual(['webgpu: tfjs wasm in the fake page'])
    // The epoch reports are the page's (its resident-memory figure), and identical in every number that
    // does not measure time or memory to the run trained here.
    expect(remote.epochs.map((e) => e.epoch)).toEqual([1, 2])
    expect(remote.epochs.every((e) => e.rss === 4242)).toBe(true)
    const losses = (es: TrainingEpoch[]) => es.map((e) => [e.loss, e.recon, e.valLoss])
    expect(losses(remote.epochs)).toEqual(losses(local.epochs))
    expect(remote.events.filter((e) => e.name === 'training.batch').length).toBeGreaterThanOrEqual(2)

    // The checkpoint bytes came back whole: hashed as written, and the same weights and Adam state.
    const a = lastCheckpoint(studio, home, local.runId)
    const b = lastCheckpoint(studio, home, remote.runId)
    expect(sha256(b.bytes)).toBe(b.last.sha256)
    expect(b.data.epoch).toBe(2)
    expect(b.data.config.backend).toBe('webgpu')
    for (const group of ['weights', 'optimizer'] as const) {
      expect(b.data[group].map((t) => t.shape)).toEqual(a.data[group].map((t) => t.shape))
      b.data[group].forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(a.data[group][i].data)))
    }
    expect(b.data.adamPowers).toEqual(a.data.adamPowers)
    expect(studio.store.artifacts.previews(remote.runId).map((p) => p.epoch)).toEqual([1, 2])
    const previewOf = (runId: number) =>
      readFileSync(join(home, studio!.store.artifacts.previews(runId)[1].file))
    expect(previewOf(remote.runId).equals(previewOf(local.runId))).toBe(true)
    // Model and optimizer are gone on the page's side once the session ended.
    await gpu.page.served!.ended
    expect(await tensorsSettle(baseline)).toBe(baseline)
  })

  it('pauses, resumes and stops the session in the page', async () => {
    const { studio, datasetId, home } = await setup()
    const gpu = fakeGpuWorker()
    let pausedAt = 0
    let batchesWhilePaused = 0
    const statuses: string[] = []
    const run = await train(studio, datasetId, { epochs: 6 }, gpu.connect, (e, control) => {
      if (e.name === 'training.status') {
        statuses.push(String(e.payload.status))
        if (e.payload.status === 'paused') {
          pausedAt = Date.now()
          // Held for 300 ms: no batch may be trained meanwhile.
          setTimeout(() => control.apply('resume'), 300)
        }
      }
      if (e.name === 'training.batch') {
        if (pausedAt && statuses.at(-1) === 'paused') batchesWhilePaused++
        if (!pausedAt && e.payload.epoch === 1) control.apply('pause')
      }
      if (e.name === 'training.epoch' && e.payload.epoch === 2) control.apply('stop')
    })
    expect(statuses).toEqual(['running', 'paused', 'running', 'stopped'])
    expect(batchesWhilePaused).toBe(0)
    expect(run.result).toMatchObject({ status: 'stopped', epochsDone: 2 })
    expect(studio.store.runs.get(run.runId)).toMatchObject({ status: 'stopped', epochsDone: 2 })
    expect(lastCheckpoint(studio, home, run.runId).data.epoch).toBe(2)
    await gpu.page.served!.ended
  })

  it('a lost GPU marks the run interrupted, keeps its last checkpoint, and it resumes on wasm', async () => {
    const { studio, datasetId, home } = await setup()
    const gpu = fakeGpuWorker({ backend: 'cpu' })
    const run = await train(studio, datasetId, {}, gpu.connect, (e) => {
      if (e.name === 'training.epoch' && e.payload.epoch === 1)
        gpu.page.loseDevice('the GPU device was lost (destroyed)')
    })
    expect(run.result).toEqual({ runId: run.runId, status: 'interrupted', epochsDone: 1 })
    const row = studio.store.runs.get(run.runId)!
    expect(row.status).toBe('interrupted')
    expect(row.error).toBe(
      'The GPU stopped working mid-run: the GPU device was lost (destroyed). The last checkpoint (epoch 1) is ' +
        `kept: resume the run to continue from it (on another backend: \`aestudio resume ${run.runId} ` +
        '--backend wasm`).'
    )
    expect(run.events.filter((e) => e.name === 'training.status').map((e) => e.payload.status)).toEqual([
      'running',
      'interrupted'
    ])
    const before = lastCheckpoint(studio, home, run.runId)
    expect(before.data.epoch).toBe(1)
    expect(sha256(before.bytes)).toBe(before.last.sha256)
    expect(studio.store.db.pragma('integrity_check', { simple: true })).toBe('ok')

    const { run: queued, finished } = resumeRun(
      studio,
      run.runId,
      { backend: 'wasm' },
      new InProcessTrainingHost()
    )
    expect(queued.config.backend).toBe('wasm')
    const final = await finished
    expect(final).toMatchObject({ status: 'done', epochsDone: 3, backend: 'wasm', error: null })
    expect(studio.store.runs.metrics(run.runId).map((m) => m.epoch)).toEqual([1, 2, 3])
    expect(studio.store.runs.metrics(run.runId)[0].loss).toBe(run.epochs[0].loss)
    expect(lastCheckpoint(studio, home, run.runId).data).toMatchObject({
      epoch: 3,
      config: { backend: 'wasm' }
    })
    expect(studio.store.db.pragma('integrity_check', { simple: true })).toBe('ok')
  })

  it('the page going away (its port closed) mid-run interrupts the run, and the page stops training', async () => {
    const { studio, datasetId, home } = await setup()
    const baseline = tf.memory().numTensors
    const gpu = fakeGpuWorker()
    const run = await train(studio, datasetId, { epochs: 4 }, gpu.connect, (e) => {
      if (e.name === 'training.epoch' && e.payload.epoch === 2) gpu.page.port!.close()
    })
    expect(run.result).toMatchObject({ status: 'interrupted', epochsDone: 2 })
    expect(studio.store.runs.get(run.runId)!.error).toMatch(
      /^The GPU stopped working mid-run: the GPU worker window closed before the run finished\. The last checkpoint \(epoch 2\) is kept/
    )
    expect(lastCheckpoint(studio, home, run.runId).data.epoch).toBe(2)
    expect(studio.store.db.pragma('integrity_check', { simple: true })).toBe('ok')
    await gpu.page.served!.ended
    expect(await tensorsSettle(baseline)).toBe(baseline)
  })

  it('webgpu with no usable GPU in the page fails in plain words; auto passes over it to the next backend', async () => {
    const { studio, datasetId } = await setup()
    const why = 'only a software GPU (google swiftshader (software)) was found'
    const refused = fakeGpuWorker({ unavailable: why })
    const err = await train(studio, datasetId, {}, refused.connect).catch((e: Error) => e)
    expect((err as Error).message).toBe(`The webgpu backend cannot be used here: ${why}`)
    const failed = studio.store.runs.list()[0]
    expect(failed).toMatchObject({
      status: 'failed',
      error: `The webgpu backend cannot be used here: ${why}`
    })

    const auto = fakeGpuWorker({ unavailable: why })
    const run = await train(studio, datasetId, { backend: 'auto', epochs: 1 }, auto.connect)
    expect(auto.page.requests).toEqual([{ backends: ['webgpu', 'webgl'], allowSoftware: false }])
    expect(run.result.status).toBe('done')
    const row = studio.store.runs.get(run.runId)!
    // The next rung that loads here: the native engine where `npm run setup:tensorflow` ran, else wasm.
    const tensorflowHere = probeBackends().find((b) => b.name === 'tensorflow')!.available
    expect(row.backend).toBe(tensorflowHere ? 'tensorflow' : 'wasm')
    expect(row.backendNotes).toContain(`webgpu passed over: ${why}`)
    expect(row.backendNotes[0]).toMatch(/^tensorflow-gpu passed over: /)
  })
})
