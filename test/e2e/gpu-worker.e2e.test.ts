// The GPU worker page as built (out/renderer/gpu-worker.html) in Debian's Chromium on SwiftShader's WebGPU:
// served over http://127.0.0.1 with the app's headers and CSP, handed a MessagePort the way its preload hands
// it one, it gets the pixels transferred, trains two epochs of the conv model with the engine's runSession and
// sends each epoch's checkpoint bytes back; those load on wasm and reconstruct what the page reconstructed.
// Then the worker's GPU device is destroyed mid-run, and the page says so with a `lost` message.
import * as tf from '@tensorflow/tfjs'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../src/main/backends/activate'
import { createAdam } from '../../src/engine/adam'
import { decodeCheckpoint, restoreState } from '../../src/engine/checkpoint'
import type { BackendRequest, FromGpuWorker, ToGpuWorker } from '../../src/engine/gpu/protocol'
import type { EpochReport } from '../../src/engine/loop'
import { evaluateLoss } from '../../src/engine/loop'
import { buildModel } from '../../src/engine/models/index'
import { batchTensor } from '../../src/engine/pixels'
import { parseTrainConfig, type TrainConfig } from '../../src/shared/config'
import { ROOT } from '../helpers/cli'
import { buildOnce, CHROMIUM } from './harness'
import { serveRenderer } from './serve-renderer'

/**
 * WebGPU on SwiftShader in headless Chromium (it also needs a secure context), plus the project's usual
 * headless flags. On Chromium 156 `--enable-unsafe-webgpu` alone already gives the SwiftShader adapter.
 */
export const GPU_WORKER_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

const missing = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`
if (missing) console.warn(`GPU worker page tests SKIPPED: ${missing}`)

// SwiftShader is slow and compiles a shader per op and shape: tiny images, one batch size everywhere (the
// validation split and the preview are one batch of 4 too).
const SIZE = 16
const TRAIN = 16
const VAL = 4
const config: TrainConfig = parseTrainConfig({
  model: 'conv',
  size: SIZE,
  channels: 3,
  latent: 8,
  batch: 4,
  epochs: 2,
  lr: 5e-3,
  seed: 7,
  backend: 'webgpu'
})

/** A bright disc per image on a dark ground: learnable in two epochs. */
function discs(n: number, from: number): Uint8Array {
  const out = new Uint8Array(n * SIZE * SIZE * 3)
  for (let i = 0; i < n; i++) {
    const k = from + i
    const cx = 3 + ((k * 5) % (SIZE - 6))
    const cy = 3 + ((k * 7) % (SIZE - 6))
    for (let y = 0; y < SIZE; y++)
      for (let x = 0; x < SIZE; x++)
        for (let c = 0; c < 3; c++) {
          const inside = (x - cx) ** 2 + (y - cy) ** 2 <= 9
          out[((i * SIZE + y) * SIZE + x) * 3 + c] = inside ? 230 - 50 * c : 20 + 15 * c
        }
  }
  return out
}

const SOFTWARE_WEBGPU: BackendRequest = { backends: ['webgpu'], allowSoftware: true }
const HARDWARE_ONLY: BackendRequest = { backends: ['webgpu', 'webgl'], allowSoftware: false }
const SOFTWARE_WEBGL: BackendRequest = { backends: ['webgl'], allowSoftware: true }

/** Test instrumentation, from outside the page: every GPUDevice the page makes, so a test can destroy it. */
const RECORD_DEVICES = () => {
  const w = window as unknown as { __gpuDevices: GPUDevice[] }
  w.__gpuDevices = []
  const own = GPUAdapter.prototype.requestDevice
  GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, ...args) {
    const device = await own.apply(this, args)
    w.__gpuDevices.push(device)
    return device
  }
}

interface DriveInput {
  request: BackendRequest
  config: TrainConfig
  train: number[]
  val: number[]
  /** Destroy the page's GPU device once the first batch has been reported. */
  destroyAfterFirstBatch: boolean
}

interface DriveResult {
  ready: FromGpuWorker
  end: FromGpuWorker
  batches: number
  epochs: EpochReport[]
  /** Each epoch's checkpoint bytes (base64) and preview rows, as they came over the port. */
  checkpoints: string[]
  previews: number[][][]
  /** The page's copies of the pixels after posting them: 0 bytes when they were transferred. */
  leftBehind: number
  ms: { ready: number; run: number }
}

/**
 * In the page: what the app's training job does over its MessagePort (Node cannot pass a port into the
 * browser, so the host side runs here). Self-contained: it is serialised into the page.
 */
async function drive(input: DriveInput): Promise<DriveResult> {
  const t0 = performance.now()
  const { port1, port2 } = new MessageChannel()
  // As src/preload/gpu-worker.ts passes Electron's port on to the page.
  window.postMessage('gpu-port', '*', [port2])
  const queue: FromGpuWorker[] = []
  let wake: (() => void) | undefined
  port1.onmessage = (e: MessageEvent<FromGpuWorker>) => {
    queue.push(e.data)
    wake?.()
  }
  const next = async (): Promise<FromGpuWorker> => {
    while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve))
    return queue.shift()!
  }
  const send = (msg: ToGpuWorker, transfer: Transferable[] = []) => port1.postMessage(msg, transfer)
  send({ type: 'init', request: input.request })
  const ready = await next()
  const tReady = performance.now()
  const result: DriveResult = {
    ready,
    end: ready,
    batches: 0,
    epochs: [],
    checkpoints: [],
    previews: [],
    leftBehind: -1,
    ms: { ready: tReady - t0, run: 0 }
  }
  if (ready.type !== 'ready') return result
  const train = Uint8Array.from(input.train)
  const val = Uint8Array.from(input.val)
  const { size, channels } = input.config
  const data = {
    size,
    channels,
    train,
    trainCount: train.length / (size * size * channels),
    val,
    valCount: 4
  }
  send(
    {
      type: 'start',
      start: { config: input.config, data, previewSource: { pixels: val, count: 4, size, channels } }
    },
    [train.buffer, val.buffer]
  )
  result.leftBehind = train.byteLength + val.byteLength
  const base64 = (bytes: Uint8Array) => {
    let s = ''
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
    return btoa(s)
  }
  for (;;) {
    const msg = await next()
    if (msg.type === 'batch') {
      result.batches++
      if (input.destroyAfterFirstBatch && result.batches === 1) {
        const devices = (window as unknown as { __gpuDevices: GPUDevice[] }).__gpuDevices
        devices.at(-1)!.destroy()
      }
    } else if (msg.type === 'epoch') {
      result.epochs.push(msg.output.report)
      result.checkpoints.push(base64(msg.output.checkpoint))
      result.previews.push(msg.output.preview.map((row) => row.flatMap((img) => Array.from(img.data))))
      send({ type: 'kept', epoch: msg.output.report.epoch })
    } else {
      result.end = msg
      result.ms.run = performance.now() - tReady
      return result
    }
  }
}

describe.skipIf(missing)('the GPU worker page in Chromium (WebGPU on SwiftShader)', () => {
  let browser: Browser
  let page: Page
  let server: Awaited<ReturnType<typeof serveRenderer>>
  const problems: string[] = []
  const train = discs(TRAIN, 0)
  const val = discs(VAL, TRAIN)

  beforeAll(async () => {
    buildOnce()
    server = await serveRenderer(join(ROOT, 'out', 'renderer'))
    browser = await chromium.launch({ executablePath: CHROMIUM, args: GPU_WORKER_FLAGS })
    page = await browser.newPage()
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`)
    })
    await page.addInitScript(RECORD_DEVICES)
    const res = await page.goto(`${server.url}gpu-worker.html`)
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self'/)
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true)
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('trains two epochs on WebGPU; its checkpoint bytes load on wasm and reconstruct the same', async () => {
    const r = await page.evaluate(drive, {
      request: SOFTWARE_WEBGPU,
      config,
      train: Array.from(train),
      val: Array.from(val),
      destroyAfterFirstBatch: false
    })
    console.log(
      `page: ${JSON.stringify(r.ready)} in ${r.ms.ready.toFixed(0)} ms; ` +
        r.epochs
          .map(
            (e) =>
              `epoch ${e.epoch} loss ${e.loss.toFixed(4)} val ${e.valLoss?.toFixed(4)} ${e.seconds.toFixed(1)} s`
          )
          .join('; ') +
        `; ${(r.ms.run / 1000).toFixed(1)} s in all`
    )
    expect(problems).toEqual([])
    expect(r.ready).toMatchObject({
      type: 'ready',
      backend: 'webgpu',
      adapter: { architecture: 'swiftshader', isFallbackAdapter: true }
    })
    expect((r.ready as { notes: string[] }).notes).toEqual([
      expect.stringMatching(/^webgpu: .*swiftshader.* \(software\), in the app's GPU window \(Chromium\)$/)
    ])
    expect(r.end).toEqual({ type: 'done', outcome: { status: 'done', epochsDone: 2, startEpoch: 0 } })
    expect(r.leftBehind).toBe(0)
    expect(r.epochs.map((e) => e.epoch)).toEqual([1, 2])
    expect(r.epochs[1].loss).toBeLessThan(r.epochs[0].loss)
    // Flat from epoch to epoch: nothing leaks on the GPU.
    expect(r.epochs[1].tensors).toBe(r.epochs[0].tensors)
    expect(r.batches).toBeGreaterThanOrEqual(2)

    // The last checkpoint, as the job would write it, restores on wasm: weights and Adam's state.
    await initBackend('wasm')
    const ckpt = decodeCheckpoint(new Uint8Array(Buffer.from(r.checkpoints[1], 'base64')))
    expect(ckpt).toMatchObject({ epoch: 2, config: { model: 'conv', backend: 'webgpu' } })
    const model = buildModel(config)
    const optimizer = createAdam(config.lr)
    await restoreState(model, optimizer, ckpt)
    // The page's validation loss after epoch 2, recomputed here from its weights.
    const valLoss = (await evaluateLoss(model, val, VAL, config, SIZE, 3))!
    const lossGap = Math.abs(valLoss - r.epochs[1].valLoss!) / r.epochs[1].valLoss!
    // Its reconstructions: the preview's second row is the page's, as 8-bit (Math.round of value × 255).
    const x = batchTensor(val, [0, 1, 2, 3], SIZE, 3)
    const out = tf.tidy(() => model.decode(model.encode(x)))
    const mine = await out.data()
    tf.dispose([x, out])
    model.dispose()
    optimizer.dispose()
    const [originals, theirs] = r.previews[1]
    expect(originals).toEqual(Array.from(val))
    expect(theirs.length).toBe(mine.length)
    // How far each value here is from the interval of values the page's byte stands for.
    let worst = 0
    let same = 0
    for (let i = 0; i < mine.length; i++) {
      const b = theirs[i]
      const lo = b === 0 ? -Infinity : (b - 0.5) / 255
      const hi = b === 255 ? Infinity : (b + 0.5) / 255
      worst = Math.max(worst, lo - mine[i], mine[i] - hi, 0)
      if ((mine[i] >= 1 ? 255 : mine[i] > 0 ? Math.round(mine[i] * 255) : 0) === b) same++
    }
    console.log(
      `wasm vs page: val loss ${valLoss.toPrecision(7)} vs ${r.epochs[1].valLoss!.toPrecision(7)} ` +
        `(relative ${lossGap.toExponential(2)}); reconstructions ${same}/${mine.length} bytes equal, ` +
        `worst ${worst.toExponential(2)} outside the page's byte`
    )
    expect(lossGap).toBeLessThan(1e-4)
    expect(worst).toBeLessThan(1e-4)
  }, 600_000)

  it("a GPU device destroyed mid-run ends the session with `lost` and the device's reason", async () => {
    const r = await page.evaluate(drive, {
      request: SOFTWARE_WEBGPU,
      config: { ...config, epochs: 3 },
      train: Array.from(train),
      val: Array.from(val),
      destroyAfterFirstBatch: true
    })
    console.log(
      `fault: ${JSON.stringify(r.end)} after ${r.batches} batch report(s), ${r.epochs.length} epoch(s)`
    )
    expect(r.end).toEqual({
      type: 'lost',
      reason: expect.stringMatching(/^the GPU device was lost \(destroyed/)
    })
    expect(r.epochs.length).toBeLessThan(3)
  }, 300_000)

  it('refuses software GPUs unless allowed, and falls back to WebGL where asked', async () => {
    // A page of its own: its TensorFlow.js starts from no backend.
    const other = await browser.newPage()
    await other.goto(`${server.url}gpu-worker.html`)
    const input = {
      config: { ...config, epochs: 1 },
      train: Array.from(train),
      val: Array.from(val),
      destroyAfterFirstBatch: false
    }
    const refused = await other.evaluate(drive, {
      ...input,
      request: HARDWARE_ONLY
    })
    expect(refused.ready).toEqual({
      type: 'unavailable',
      message: expect.stringMatching(
        /^webgpu passed over: only a software GPU \(google swiftshader \(software\)\) was found; .*; webgl passed over: only a software GPU \(.*SwiftShader.*\) draws WebGL here/
      )
    })
    const t = performance.now()
    const webgl = await other.evaluate(drive, {
      ...input,
      request: SOFTWARE_WEBGL
    })
    console.log(
      `webgl: ${JSON.stringify(webgl.ready)}; ${JSON.stringify(webgl.epochs)} in ${((performance.now() - t) / 1000).toFixed(1)} s`
    )
    expect(webgl.ready).toMatchObject({ type: 'ready', backend: 'webgl', adapter: null })
    expect((webgl.ready as { notes: string[] }).notes).toEqual([
      expect.stringMatching(/^webgl: .*SwiftShader.*, in the app's GPU window$/)
    ])
    expect(webgl.end).toEqual({ type: 'done', outcome: { status: 'done', epochsDone: 1, startEpoch: 0 } })
    expect(Number.isFinite(webgl.epochs[0].loss)).toBe(true)
    expect(decodeCheckpoint(new Uint8Array(Buffer.from(webgl.checkpoints[0], 'base64'))).epoch).toBe(1)
    await other.close()
  }, 300_000)
})
