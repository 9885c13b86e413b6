// The GPU worker page (prototype) in Debian's Chromium on SwiftShader: it gets a WebGPU adapter from a secure
// context under the app's CSP, receives the pixels transferred over a MessagePort, trains the conv model for two
// epochs on tfjs-backend-webgpu and returns its weights, which load on wasm and reconstruct the validation
// images within 1e-4 of the page's own reconstructions.
import * as tf from '@tensorflow/tfjs'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../../src/main/backends/activate'
import { batchTensor } from '../../../src/engine/pixels'
import { buildModel } from '../../../src/engine/models/index'
import { parseTrainConfig, type TrainConfigInput } from '../../../src/shared/config'
import { CHROMIUM } from '../harness'
import type { EpochMessage, FromWorker } from './protocol'
import { buildWorkerPage, serveDir } from './serve'

/**
 * What Chromium needs for WebGPU on SwiftShader. On Chromium 156 `--enable-unsafe-webgpu` alone already gives
 * the SwiftShader adapter, `--disable-gpu` does not take it away, and Playwright's own headless mode is enough.
 */
export const GPU_WORKER_FLAGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

const missing = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`
if (missing) console.warn(`webgpu tests SKIPPED: ${missing}`)

const SIZE = 16
const TRAIN = 32
const VAL = 8
const CONFIG: TrainConfigInput = {
  model: 'conv',
  size: SIZE,
  channels: 3,
  latent: 8,
  batch: 8,
  epochs: 2,
  lr: 5e-3,
  seed: 7
}

/** A bright disc per image on a dark ground: learnable in two epochs. */
function discs(n: number): Uint8Array {
  const out = new Uint8Array(n * SIZE * SIZE * 3)
  for (let i = 0; i < n; i++) {
    const cx = 3 + ((i * 5) % (SIZE - 6))
    const cy = 3 + ((i * 7) % (SIZE - 6))
    for (let y = 0; y < SIZE; y++)
      for (let x = 0; x < SIZE; x++)
        for (let c = 0; c < 3; c++) {
          const inside = (x - cx) ** 2 + (y - cy) ** 2 <= 9
          out[((i * SIZE + y) * SIZE + x) * 3 + c] = inside ? 230 - 50 * c : 20 + 15 * c
        }
  }
  return out
}

interface PageResult {
  ready: Extract<FromWorker, { type: 'ready' }>
  epochs: EpochMessage[]
  /** The page's copy of the pixels after posting them: 0 bytes when they were transferred. */
  leftBehind: number
  weights: { name: string; shape: number[]; data: number[] }[]
  recon: number[]
  tensorsAfter: number
  ms: { connect: number; train: number }
}

describe.skipIf(missing)('GPU worker page in Chromium (WebGPU on SwiftShader)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aestudio-gpu-page-'))
  let browser: Browser
  let server: Awaited<ReturnType<typeof serveDir>>
  const pixels = discs(TRAIN + VAL)

  beforeAll(async () => {
    const bundle = await buildWorkerPage(dir)
    console.log(`worker page bundle: ${(bundle.bytes / 1e6).toFixed(2)} MB in ${bundle.ms.toFixed(0)} ms`)
    writeFileSync(join(dir, 'pixels.bin'), pixels)
    server = await serveDir(dir)
    const t = performance.now()
    browser = await chromium.launch({ executablePath: CHROMIUM, args: GPU_WORKER_FLAGS })
    console.log(`Chromium ${browser.version()} started in ${(performance.now() - t).toFixed(0)} ms`)
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('trains two epochs on WebGPU and returns weights that reconstruct the same on wasm', async () => {
    const page = await browser.newPage()
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`)
    })
    await page.goto(server.url)
    const r: PageResult = await page.evaluate(
      async ({ config, trainCount, valCount }) => {
        const t0 = performance.now()
        const { port1, port2 } = new MessageChannel()
        // As Electron's webContents.postMessage delivers a port to the page.
        window.postMessage({ type: 'aestudio:gpu-port' }, location.origin, [port2])
        const queue: FromWorker[] = []
        let wake: (() => void) | undefined
        port1.onmessage = (e: MessageEvent<FromWorker>) => {
          queue.push(e.data)
          wake?.()
        }
        const next = async (): Promise<FromWorker> => {
          while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve))
          const msg = queue.shift()!
          if (msg.type === 'error') throw new Error(`worker: ${msg.message}`)
          return msg
        }
        port1.postMessage({ type: 'init', allowSoftware: true })
        const ready = (await next()) as Extract<FromWorker, { type: 'ready' }>
        const connect = performance.now() - t0
        const pixels = new Uint8Array(await (await fetch('/pixels.bin')).arrayBuffer())
        const t1 = performance.now()
        port1.postMessage({ type: 'train', config, pixels, trainCount, valCount }, [pixels.buffer])
        const leftBehind = pixels.byteLength
        const epochs: EpochMessage[] = []
        for (;;) {
          const msg = await next()
          if (msg.type === 'epoch') epochs.push(msg)
          if (msg.type === 'done')
            return {
              ready,
              epochs,
              leftBehind,
              weights: msg.weights.map((w) => ({ name: w.name, shape: w.shape, data: Array.from(w.data) })),
              recon: Array.from(msg.recon),
              tensorsAfter: msg.tensors,
              ms: { connect, train: performance.now() - t1 }
            }
        }
      },
      { config: CONFIG, trainCount: TRAIN, valCount: VAL }
    )
    console.log(
      `page: adapter ${JSON.stringify(r.ready.adapter)} in ${r.ms.connect.toFixed(0)} ms; ` +
        r.epochs
          .map(
            (e) =>
              `epoch ${e.epoch} loss ${e.loss.toFixed(4)} val ${e.valLoss?.toFixed(4)} ${e.seconds.toFixed(1)} s`
          )
          .join('; ') +
        `; train ${(r.ms.train / 1000).toFixed(1)} s`
    )
    expect(problems).toEqual([])
    expect(r.ready).toMatchObject({ backend: 'webgpu', epsilon: 1e-7 })
    expect(r.ready.adapter).toMatchObject({ architecture: 'swiftshader', isFallbackAdapter: true })
    expect(r.leftBehind).toBe(0)
    expect(r.epochs.map((e) => e.epoch)).toEqual([1, 2])
    expect(r.epochs[1].loss).toBeLessThan(r.epochs[0].loss)
    // Flat from epoch to epoch, and nothing left once model and optimizer are gone.
    expect(r.epochs[1].tensors).toBe(r.epochs[0].tensors)
    expect(r.tensorsAfter).toBe(0)

    // The same weights on wasm reconstruct what the page reconstructed.
    await initBackend('wasm')
    const config = parseTrainConfig(CONFIG)
    const model = buildModel(config)
    const vars = model.trainableVariables
    expect(r.weights.map((w) => w.shape)).toEqual(vars.map((v) => v.shape))
    vars.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(r.weights[i].data, v.shape))))
    const idx = Array.from({ length: VAL }, (_, i) => TRAIN + i)
    const x = batchTensor(pixels, idx, SIZE, 3)
    const out = tf.tidy(() => model.decode(model.encode(x)))
    const mine = await out.data()
    tf.dispose([x, out])
    model.dispose()
    let worst = 0
    for (let i = 0; i < mine.length; i++) worst = Math.max(worst, Math.abs(mine[i] - r.recon[i]))
    console.log(`wasm vs page reconstruction: max |Δ| ${worst.toExponential(2)} over ${mine.length} values`)
    expect(mine.length).toBe(r.recon.length)
    expect(worst).toBeLessThan(1e-4)
    await page.close()
  }, 600_000)
})
