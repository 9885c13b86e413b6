// The native engine (@tensorflow/tfjs-node, backend `tensorflow`), when it loads here (`npm run setup:tensorflow`):
// every model kind trains on it, its gradients match the cpu backend's, and tensors do not pile up across epochs.
import { readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { modelKinds, parseTrainConfig, type ModelKind, type TrainConfig } from '../../src/shared/config'
import { createAdam } from '../../src/engine/adam'
import { initBackend } from '../../src/main/backends/activate'
import { captureState, restoreState } from '../../src/engine/checkpoint'
import { modelInput, trainLoop, type EpochReport } from '../../src/engine/loop'
import { buildModel } from '../../src/engine/models'
import { Rng } from '../../src/engine/rng'
import { probeTensorflow } from '../../src/main/backends/tensorflow-probe'
import { fromStart, splitPixels } from '../helpers/loop'

const require = createRequire(import.meta.url)
const probe = probeTensorflow()
if (!probe.ok)
  console.warn(`tensorflow backend tests SKIPPED: ${probe.reason} (npm run setup:tensorflow sets it up)`)

// Small shapes: the cpu backend (the reference) is slow on convolutions.
const config = (model: ModelKind, over: Partial<TrainConfig> = {}) =>
  parseTrainConfig({ model, size: 8, channels: 3, latent: 4, batch: 4, epochs: 3, lr: 0.01, ...over })

/** Seeded smooth-ish bytes: n images of the config's shape. */
function pixels(c: TrainConfig, n: number, seed = 3): Uint8Array {
  const rng = new Rng(seed)
  const per = c.size * c.size * c.channels
  return Uint8Array.from({ length: n * per }, (_, i) =>
    Math.floor(128 + 100 * Math.sin(i / 7 + rng.next() * 0.5))
  )
}

/** The loss and every variable's gradient for one batch, as plain arrays, on the active backend. */
function lossAndGrads(
  c: TrainConfig,
  weights: Float32Array[] | null,
  input: { values: Float32Array; shape: number[] },
  target: Float32Array
) {
  const model = buildModel(c)
  try {
    if (weights) model.trainableVariables.forEach((v, i) => v.assign(tf.tensor(weights[i], v.shape)))
    const shape = [c.batch, c.size, c.size, c.channels]
    const x = tf.tensor4d(target, shape as [number, number, number, number])
    const inp = tf.tensor4d(input.values, input.shape as [number, number, number, number])
    const { value, grads } = tf.variableGrads(
      () => model.loss(inp, x, true, 7).total,
      model.trainableVariables
    )
    const out = {
      loss: value.dataSync()[0],
      grads: model.trainableVariables.map((v) => grads[v.name].dataSync() as Float32Array),
      weights: model.trainableVariables.map((v) => v.dataSync().slice() as Float32Array)
    }
    tf.dispose([value, x, inp, ...Object.values(grads)])
    return out
  } finally {
    model.dispose()
  }
}

const norm = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0))
const relDiff = (a: Float32Array, b: Float32Array) =>
  norm(a.map((v, i) => v - b[i])) / Math.max(norm(b), 1e-12)

describe.skipIf(!probe.ok)('the tensorflow backend', () => {
  beforeAll(async () => {
    const { name, notes } = await initBackend('tensorflow')
    expect(name).toBe('tensorflow')
    expect(notes[0]).toMatch(/^tensorflow: TensorFlow \d+\.\d+\.\d+, oneDNN custom ops (on|off)/)
  })
  afterAll(async () => {
    await initBackend('tensorflow')
  })

  it.each(modelKinds)(
    '%s: trains 3 epochs through the loop, loss falling, tensors flat after the first',
    async (kind) => {
      await initBackend('tensorflow')
      const c = config(kind)
      const model = buildModel(c)
      const optimizer = createAdam(c.lr)
      const data = splitPixels(c, pixels(c, 20), 16)
      const epochs: EpochReport[] = []
      const before = model.trainableVariables.map((v) => v.dataSync().slice())
      const outcome = await trainLoop(fromStart({ model, optimizer, data, config: c }, epochs))
      expect(tf.getBackend()).toBe('tensorflow')
      expect(outcome).toEqual({ status: 'done', epochsDone: 3 })
      expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3])
      for (const e of epochs) expect(Number.isFinite(e.loss) && Number.isFinite(e.valLoss!)).toBe(true)
      expect(epochs[2].loss).toBeLessThan(epochs[0].loss)
      // Epoch 1 creates Adam's moments; after that every epoch ends with the same tensors alive.
      expect(epochs[2].tensors).toBe(epochs[1].tensors)
      const moved = model.trainableVariables.filter(
        (v, i) => relDiff(v.dataSync() as Float32Array, before[i] as Float32Array) > 0
      )
      expect(moved.length).toBe(model.trainableVariables.length)
      model.dispose()
      optimizer.dispose()
    }
  )

  it.each(modelKinds)(
    '%s: loss and gradients match the cpu backend on the same weights and batch',
    async (kind) => {
      const c = config(kind, { batch: 2 })
      const images = pixels(c, c.batch, 11)
      const target = Float32Array.from(images, (v) => v / 255)
      // What the encoder sees (noisy for denoising, grey for colorize), made once on cpu and fed to both.
      await initBackend('cpu')
      const input = tf.tidy(() => {
        const x = modelInput(tf.tensor4d(target, [c.batch, c.size, c.size, c.channels]), c, 5)
        return { values: x.dataSync() as Float32Array, shape: x.shape }
      })
      const cpu = lossAndGrads(c, null, input, target)
      await initBackend('tensorflow')
      const native = lossAndGrads(c, cpu.weights, input, target)
      const worst = Math.max(...native.grads.map((g, i) => relDiff(g, cpu.grads[i])))
      console.log(
        `${kind}: loss ${native.loss} vs ${cpu.loss} on cpu, worst relative gradient difference ${worst.toExponential(2)}`
      )
      expect(Math.abs(native.loss - cpu.loss) / cpu.loss).toBeLessThan(1e-5)
      expect(worst).toBeLessThan(1e-4)
    }
  )

  it.each([
    ['tensorflow', 'wasm'],
    ['wasm', 'tensorflow']
  ] as const)('a checkpoint made on %s resumes on %s and continues the same curve', async (from, to) => {
    const c = config('conv', { epochs: 3 })
    const data = splitPixels(c, pixels(c, 20), 16)
    const train = async (
      backend: 'tensorflow' | 'wasm',
      epochs: number,
      start?: Awaited<ReturnType<typeof captureState>> & { rng: Rng }
    ) => {
      await initBackend(backend)
      const model = buildModel({ ...c, epochs })
      const optimizer = createAdam(c.lr)
      if (start) await restoreState(model, optimizer, start)
      const rng = start?.rng ?? new Rng(c.seed)
      const reports: EpochReport[] = []
      await trainLoop({
        model,
        optimizer,
        data,
        config: { ...c, epochs },
        rng,
        startEpoch: start ? 2 : 0,
        onEpoch: (r) => void reports.push(r)
      })
      const state = { ...(await captureState(model, optimizer)), rng: Rng.fromState(rng.state()) }
      model.dispose()
      optimizer.dispose()
      return { reports, state }
    }
    const straight = await train(from, 3)
    const firstTwo = await train(from, 2)
    const resumed = await train(to, 3, firstTwo.state)
    expect(resumed.reports.map((r) => r.epoch)).toEqual([3])
    const [a, b] = [resumed.reports[0], straight.reports[2]]
    console.log(`${from} -> ${to}: epoch 3 loss ${a.loss} (resumed) vs ${b.loss} (straight on ${from})`)
    expect(Math.abs(a.loss - b.loss) / b.loss).toBeLessThan(1e-4)
    expect(Math.abs(a.valLoss! - b.valLoss!) / b.valLoss!).toBeLessThan(1e-4)
  })

  it('our kernels stay off tensorflow except the Step we mean to replace', async () => {
    await initBackend('wasm')
    await initBackend('cpu')
    await initBackend('tensorflow')
    // Every kernel tfjs-node ships is still the one registered for 'tensorflow', except Step (kernels/tensorflow-step.ts).
    const dir = join(dirname(require.resolve('@tensorflow/tfjs-node/package.json')), 'dist', 'kernels')
    const shipped = readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => Object.values(require(join(dir, f)) as Record<string, tf.KernelConfig>))
      .filter((k) => k?.backendName === 'tensorflow')
    expect(shipped.length).toBeGreaterThan(150)
    const replaced = shipped.filter(
      (k) => tf.getKernel(k.kernelName, 'tensorflow')?.kernelFunc !== k.kernelFunc
    )
    expect(replaced.map((k) => k.kernelName)).toEqual([tf.Step])
    const extra = tf
      .getKernelsForBackend('tensorflow')
      .filter((k) => !shipped.some((s) => s.kernelName === k.kernelName))
    expect(extra.map((k) => k.kernelName)).toEqual([])
  })

  it('the replaced Step is the same function as tfjs-node’s, NaN included, and leaves no tensors', async () => {
    await initBackend('tensorflow')
    const x = tf.tensor1d([-2, -0, 0, 1e-30, 3, NaN, -Infinity, Infinity])
    const before = tf.memory().numTensors
    const y = tf.step(x)
    expect(Array.from(y.dataSync())).toEqual([0, 0, 0, 1, 1, NaN, 0, 1])
    expect(tf.memory().numTensors).toBe(before + 1)
    const leaky = tf.step(x, 0.5)
    expect(Array.from(leaky.dataSync())).toEqual([0.5, 0.5, 0.5, 1, 1, NaN, 0.5, 1])
    tf.dispose([x, y, leaky])
  })
})
