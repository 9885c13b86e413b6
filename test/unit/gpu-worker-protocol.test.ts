// The GPU worker protocol's edges, with one side scripted: the host's remote session against a page that
// misbehaves, the page's handler against a host that does, the app job's port request over a stand-in
// parentPort, and Adam's ε given explicitly (the webgl fallback would otherwise choose 1e-4).
import * as tf from '@tensorflow/tfjs'
import { EventEmitter } from 'node:events'
import { MessageChannel } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { initBackend } from '../../src/main/backends/activate'
import { electronGpuWorker, type MainPort, type ParentPort } from '../../src/main/jobs/gpu-port'
import type { FromJob } from '../../src/main/jobs/protocol'
import { decodeCheckpoint, encodeCheckpoint } from '../../src/engine/checkpoint'
import {
  webPortChannel,
  type FromGpuWorker,
  type GpuChannel,
  type ToGpuWorker,
  type WebMessagePort
} from '../../src/engine/gpu/protocol'
import {
  connectGpuWorker,
  GpuLostError,
  GpuUnavailableError,
  type HostChannel
} from '../../src/engine/gpu/remote-session'
import { serveGpuSession } from '../../src/engine/gpu/worker-session'
import { NonFiniteLossError, type TrainingSet } from '../../src/engine/loop'
import { runSession, type EpochOutput, type SessionStart } from '../../src/engine/session'
import { parseTrainConfig } from '../../src/shared/config'
import { JobControl } from '../../src/shared/control'

/** A host channel whose page is a script: `reply` answers each message the host sends. */
function scriptedPage(reply: (msg: ToGpuWorker, send: (m: FromGpuWorker) => void) => void) {
  const { port1, port2 } = new MessageChannel()
  const page = webPortChannel<ToGpuWorker, FromGpuWorker>(port2 as unknown as WebMessagePort)
  const got: ToGpuWorker[] = []
  page.onMessage((msg) => {
    got.push(msg)
    reply(msg, (m) => page.send(m))
  })
  return { host: webPortChannel<FromGpuWorker, ToGpuWorker>(port1 as unknown as WebMessagePort), page, got }
}

const READY: FromGpuWorker = { type: 'ready', backend: 'webgpu', adapter: null, notes: ['webgpu: scripted'] }
const REQUEST = { backends: ['webgpu' as const], allowSoftware: false }
const config = parseTrainConfig({ model: 'conv', size: 8, channels: 1, latent: 2, epochs: 2, batch: 2 })
const data: TrainingSet = {
  size: 8,
  channels: 1,
  train: new Uint8Array(4 * 64).map((_, i) => (i * 37) % 256),
  trainCount: 4,
  val: new Uint8Array(0),
  valCount: 0
}
const START: SessionStart = {
  config,
  data,
  previewSource: { pixels: data.train, count: 4, size: 8, channels: 1 }
}

const epochOutput = (epoch: number, checkpointEpoch = epoch): EpochOutput => ({
  report: {
    epoch,
    epochs: 2,
    loss: 0.1,
    recon: 0.1,
    kl: null,
    valLoss: null,
    imagesPerSecond: 1,
    seconds: 1,
    etaSeconds: 0,
    tensors: 0,
    rss: 0,
    lr: 1e-3
  },
  checkpoint: encodeCheckpoint({
    epoch: checkpointEpoch,
    config,
    rng: [1, 2, 3, 4],
    bestValLoss: null,
    weights: [],
    optimizer: []
  }),
  best: true,
  preview: []
})

describe('the host side (connectGpuWorker, its runSession)', () => {
  it('says why the page cannot start a backend, and gives up on a page that never answers', async () => {
    const refused = scriptedPage(
      (m, send) => m.type === 'init' && send({ type: 'unavailable', message: 'no adapter' })
    )
    const err = await connectGpuWorker(refused.host, REQUEST).catch((e) => e)
    expect(err).toBeInstanceOf(GpuUnavailableError)
    expect(err.message).toBe('no adapter')
    expect(refused.got).toEqual([{ type: 'init', request: REQUEST }])

    const silent = scriptedPage(() => {})
    await expect(connectGpuWorker(silent.host, REQUEST, { timeoutMs: 100 })).rejects.toThrow(
      'the GPU worker did not start a backend within 0.1 s'
    )
    const closed = scriptedPage((_m, _send) => closed.page.close())
    await expect(connectGpuWorker(closed.host, REQUEST)).rejects.toThrow(
      'the GPU worker window closed before the run finished'
    )
  })

  it('keeps each epoch before the page goes on, and forwards a stop asked for while keeping it', async () => {
    const control = new JobControl()
    const kept: number[] = []
    const s = scriptedPage((m, send) => {
      if (m.type === 'init') send(READY)
      if (m.type === 'start') send({ type: 'epoch', output: epochOutput(1) })
      if (m.type === 'kept')
        send({ type: 'done', outcome: { status: 'stopped', epochsDone: 1, startEpoch: 0 } })
    })
    const gpu = await connectGpuWorker(s.host, REQUEST)
    expect(gpu).toMatchObject({ backend: 'webgpu', adapter: null, notes: ['webgpu: scripted'] })
    const outcome = await gpu.runSession(START, {
      control,
      residentBytes: () => 0,
      onEpoch: async (o) => {
        await new Promise((r) => setTimeout(r, 30))
        kept.push(o.report.epoch)
        control.apply('stop')
      }
    })
    expect(outcome).toEqual({ status: 'stopped', epochsDone: 1, startEpoch: 0 })
    expect(kept).toEqual([1])
    // The stop goes out before `kept`, so the page never starts epoch 2.
    expect(s.got.map((m) => (m.type === 'control' ? `control:${m.action}` : m.type))).toEqual([
      'init',
      'start',
      'control:stop',
      'kept'
    ])
    const start = s.got[1] as Extract<ToGpuWorker, { type: 'start' }>
    expect(Array.from(start.start.data.train)).toEqual(Array.from(data.train))
  })

  it('rebuilds a diverged loss, refuses a checkpoint of the wrong epoch, and reports a lost GPU', async () => {
    const run = async (after: FromGpuWorker[]) => {
      const s = scriptedPage((m, send) => {
        if (m.type === 'init') send(READY)
        if (m.type === 'start') after.forEach(send)
      })
      const gpu = await connectGpuWorker(s.host, REQUEST)
      return gpu.runSession(START, { residentBytes: () => 0, onEpoch: () => {} }).catch((e: Error) => e)
    }
    const nan = await run([
      { type: 'failed', message: 'x', nonFinite: { epoch: 2, batch: 1, value: Number.NaN } }
    ])
    expect(nan).toBeInstanceOf(NonFiniteLossError)
    expect((nan as Error).message).toMatch(/^The loss became NaN in epoch 2, around batch 1/)

    const wrong = await run([{ type: 'epoch', output: epochOutput(1, 7) }])
    expect((wrong as Error).message).toBe("The GPU worker's checkpoint is of epoch 7, its report of epoch 1.")
    const junk = await run([{ type: 'epoch', output: { ...epochOutput(1), checkpoint: new Uint8Array(9) } }])
    expect((junk as Error).message).toMatch(/is not an Autoencoder Studio checkpoint/)

    const lost = await run([
      { type: 'batch', report: {} as never },
      { type: 'lost', reason: 'the GPU device was lost (destroyed)' }
    ])
    expect(lost).toBeInstanceOf(GpuLostError)
    expect((lost as Error).message).toBe(
      'The GPU stopped working mid-run: the GPU device was lost (destroyed).'
    )
  })
})

describe('the page side (serveGpuSession)', () => {
  /** A page handler on the cpu backend, and the host's end of its port. */
  function page(lost: () => Promise<string> = () => new Promise(() => {})) {
    const { port1, port2 } = new MessageChannel()
    const served = serveGpuSession(
      webPortChannel<ToGpuWorker, FromGpuWorker>(port2 as unknown as WebMessagePort),
      {
        startBackend: async () => {
          await initBackend('cpu')
          return { name: 'webgpu', adapter: null, notes: [], lost: lost() }
        },
        residentBytes: () => 0,
        lostGraceMs: 200
      }
    )
    const host: HostChannel = webPortChannel(port1 as unknown as WebMessagePort)
    const got: FromGpuWorker[] = []
    host.onMessage((m) => got.push(m))
    return { served, host, got }
  }

  it('refuses a start before init, in plain words', async () => {
    const p = page()
    p.host.send({ type: 'start', start: START })
    await p.served.ended
    await new Promise((r) => setTimeout(r, 20))
    expect(p.got).toEqual([
      { type: 'failed', message: 'The GPU worker got "start" out of turn (while new).' }
    ])
  })

  it('reports a session that fails as its device dies as lost, and one that just fails as failed', async () => {
    // A resume that is no checkpoint makes runSession throw at once, as an op on a dying device would.
    const broken = { ...START, resume: new Uint8Array(16) }
    const run = async (lost: () => Promise<string>) => {
      const p = page(lost)
      const gpu = await connectGpuWorker(p.host, REQUEST)
      return gpu.runSession(broken, { residentBytes: () => 0, onEpoch: () => {} }).catch((e: Error) => e)
    }
    const failed = await run(() => new Promise(() => {}))
    expect(failed).not.toBeInstanceOf(GpuLostError)
    expect((failed as Error).message).toBe(
      'The checkpoint checkpoint cannot be used: it is not an Autoencoder Studio checkpoint.'
    )
    // The device's loss settles 100 ms after the backend started: after the failure, within the grace.
    const lost = await run(
      () => new Promise((resolve) => setTimeout(() => resolve('the GPU device was lost (destroyed)'), 100))
    )
    expect(lost).toBeInstanceOf(GpuLostError)
    expect((lost as Error).message).toBe(
      'The GPU stopped working mid-run: the GPU device was lost (destroyed).'
    )
  })
})

describe("the app job's GPU port (electronGpuWorker)", () => {
  /** A stand-in for Electron's process.parentPort: what the job posts, and a way to answer. */
  function parent() {
    const em = new EventEmitter()
    const posted: FromJob[] = []
    const port: ParentPort = {
      on: (event, fn) => void em.on(event, fn),
      postMessage: (msg) => void posted.push(msg)
    }
    return {
      port,
      posted,
      answer: (data: unknown, ports: MainPort[] = []) => em.emit('message', { data, ports })
    }
  }
  /** A stand-in MessagePortMain. */
  function mainPort() {
    const em = new EventEmitter()
    const sent: unknown[] = []
    let started = false
    const port: MainPort = {
      on: (event: 'message' | 'close', fn: (e: { data: unknown }) => void) => void em.on(event, fn),
      postMessage: (m) => void sent.push(m),
      start: () => void (started = true),
      close: () => void em.emit('close')
    }
    return { port, sent, em, started: () => started }
  }

  it('is there only inside Electron, with a parent port', () => {
    expect(electronGpuWorker({ parent: parent().port, electron: undefined })).toBeUndefined()
    expect(electronGpuWorker({ parent: undefined, electron: '45.0.0' })).toBeUndefined()
  })

  it("asks the app for a port, talks over it, and closes with the app's reason when the page is gone", async () => {
    const p = parent()
    const connect = electronGpuWorker({ parent: p.port, electron: '45.0.0' })!
    const pending = connect()
    expect(p.posted).toEqual([{ type: 'gpu-port-request' }])
    const m = mainPort()
    p.answer({ type: 'gpu-port' }, [m.port])
    const channel: GpuChannel<FromGpuWorker, ToGpuWorker> = await pending
    const got: FromGpuWorker[] = []
    channel.onMessage((msg) => got.push(msg))
    expect(m.started()).toBe(true)
    channel.send({ type: 'control', action: 'pause' }, [new ArrayBuffer(4)])
    expect(m.sent).toEqual([{ type: 'control', action: 'pause' }])
    m.em.emit('message', { data: READY })
    expect(got).toEqual([READY])
    const closed = new Promise<string | undefined>((resolve) => channel.onClose(resolve))
    p.answer({ type: 'gpu-gone', reason: 'the GPU worker window crashed (crashed, exit code 139)' })
    expect(await closed).toBe('the GPU worker window crashed (crashed, exit code 139)')
  })

  it("passes on the app's refusal, and gives up when the app never answers", async () => {
    const p = parent()
    const connect = electronGpuWorker({ parent: p.port, electron: '45.0.0', timeoutMs: 50 })!
    const refused = connect()
    p.answer({ type: 'gpu-port-refused', message: 'the GPU worker page did not load: ERR_FAILED' })
    await expect(refused).rejects.toThrow('the GPU worker page did not load: ERR_FAILED')
    await expect(connect()).rejects.toThrow('the app did not open its GPU worker window within 0.05 s')
  })
})

describe("Adam's ε", () => {
  it('is 1e-7 whatever the backend would pick (tfjs-webgl picks 1e-4 on 16-bit GPUs)', async () => {
    await initBackend('cpu')
    /** The weights and Adam's moments after one epoch (layer names differ from model to model). */
    const train = async () => {
      let bytes: Uint8Array | undefined
      await runSession(
        { ...START, config: { ...config, epochs: 1 } },
        { residentBytes: () => 0, onEpoch: (o) => void (bytes = o.checkpoint) }
      )
      const c = decodeCheckpoint(bytes!)
      return [...c.weights, ...c.optimizer].map((t) => Array.from(t.data))
    }
    /** How many values differ (a count, so a failure does not print every weight). */
    const differing = (a: number[][], b: number[][]) =>
      a.reduce((n, t, i) => n + t.filter((v, j) => v !== b[i][j]).length, 0)
    const normal = await train()
    expect(differing(await train(), normal)).toBe(0)
    const backend = tf.backend()
    const own = backend.epsilon
    backend.epsilon = () => 1e-4
    try {
      expect(differing(await train(), normal)).toBe(0)
    } finally {
      backend.epsilon = own
    }
  })
})
