// The GPU worker page (prototype): the engine on Chromium's own WebGPU, driven over a MessagePort. It owns no
// files and no store: pixels come in (transferred once), metrics and weights go out.
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-webgpu'
import { modelInput } from '../../../src/engine/loop'
import { batchTensor } from '../../../src/engine/pixels'
import { buildModel } from '../../../src/engine/models/index'
import { Rng } from '../../../src/engine/rng'
import { startWebGpu } from '../../../src/engine/gpu/webgpu-backend'
import { parseTrainConfig, type TrainConfig } from '../../../src/shared/config'
import { PORT_MESSAGE, type FromWorker, type SavedWeight, type ToWorker } from './protocol'

let port: MessagePort | undefined

const send = (msg: FromWorker, transfer: Transferable[] = []) => port!.postMessage(msg, transfer)

/** Mean loss over `count` images from `offset`, no gradients (as the engine's evaluateLoss). */
async function meanLoss(
  model: ReturnType<typeof buildModel>,
  pixels: Uint8Array,
  offset: number,
  count: number,
  config: TrainConfig
): Promise<number> {
  let sum = 0
  for (let start = 0; start < count; start += config.batch) {
    const idx = Array.from({ length: Math.min(config.batch, count - start) }, (_, i) => offset + start + i)
    const total = tf.tidy(() => {
      const x = batchTensor(pixels, idx, config.size, config.channels)
      return tf.mul(model.loss(modelInput(x, config, config.seed), x, false, config.seed).total, idx.length)
    })
    sum += (await total.data())[0]
    total.dispose()
  }
  return sum / count
}

/**
 * A minimal training loop (the engine's trainLoop still uses setImmediate and process.memoryUsage): seeded
 * shuffles, Adam with ε given explicitly (tfjs-webgl, the fallback, would default it to 1e-4), one epoch
 * message each, then the weights and the validation reconstructions.
 */
async function train(msg: Extract<ToWorker, { type: 'train' }>): Promise<void> {
  const config = parseTrainConfig(msg.config)
  const { pixels, trainCount, valCount } = msg
  const model = buildModel(config)
  const optimizer = tf.train.adam(config.lr, 0.9, 0.999, 1e-7)
  const vars = model.trainableVariables
  const rng = new Rng(config.seed)
  const order = Int32Array.from({ length: trainCount }, (_, i) => i)
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const started = performance.now()
    for (let i = 0; i < trainCount; i++) order[i] = i
    rng.shuffle(order)
    let sum = tf.scalar(0)
    for (let b = 0; b < trainCount; b += config.batch) {
      const idx = order.subarray(b, Math.min(trainCount, b + config.batch))
      const seed = rng.seed()
      const x = batchTensor(pixels, idx, config.size, config.channels)
      const input = modelInput(x, config, seed)
      const { value, grads } = tf.variableGrads(() => model.loss(input, x, true, seed).total, vars)
      optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name] })))
      const next = tf.tidy(() => tf.add<tf.Scalar>(sum, tf.mul(value, idx.length)))
      tf.dispose([sum, value, x, input, ...Object.values(grads)])
      sum = next
    }
    const loss = (await sum.data())[0] / trainCount
    sum.dispose()
    const valLoss = valCount > 0 ? await meanLoss(model, pixels, trainCount, valCount, config) : null
    const seconds = (performance.now() - started) / 1000
    send({ type: 'epoch', epoch, loss, valLoss, seconds, tensors: tf.memory().numTensors })
  }
  const weights: SavedWeight[] = await Promise.all(
    vars.map(async (v) => ({ name: v.name, shape: v.shape, data: (await v.data()) as Float32Array }))
  )
  const x = batchTensor(
    pixels,
    Array.from({ length: valCount }, (_, i) => trainCount + i),
    config.size,
    config.channels
  )
  const out = tf.tidy(() => model.decode(model.encode(x)))
  const recon = (await out.data()) as Float32Array
  tf.dispose([x, out])
  model.dispose()
  optimizer.dispose()
  send({ type: 'done', weights, recon, tensors: tf.memory().numTensors }, [
    ...weights.map((w) => w.data.buffer),
    recon.buffer
  ])
}

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'init') {
    const t = performance.now()
    const { adapter } = await startWebGpu(tf, navigator.gpu, {
      allowSoftware: msg.allowSoftware,
      softwareHint: 'the host did not allow software GPUs'
    })
    send({
      type: 'ready',
      adapter,
      backend: tf.getBackend(),
      epsilon: tf.backend().epsilon(),
      ms: performance.now() - t
    })
  } else if (msg.type === 'train') await train(msg)
}

window.addEventListener('message', (e: MessageEvent) => {
  if (e.origin !== location.origin || e.data?.type !== PORT_MESSAGE || !e.ports[0]) return
  port = e.ports[0]
  port.onmessage = (m: MessageEvent<ToWorker>) =>
    handle(m.data).catch((err: unknown) =>
      send({ type: 'error', message: err instanceof Error ? err.message : String(err) })
    )
})
