// A training replica (data-parallel wasm training, see replicas.ts): a worker thread holding its own wasm backend
// and a copy of the model, computing the gradients of its slice of each batch with the weights it is sent.
import { parentPort, workerData } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs'
import type { TrainConfig } from '../../shared/config'
import { initBackend } from './backends'
import { batchGradients } from './loop'
import { buildModel } from './models'
import type { ReplicaReply, ReplicaStep } from './replica-protocol'

const port = parentPort!
const reply = (m: ReplicaReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer)

async function main() {
  await initBackend('wasm', { threads: 1 })
  const model = buildModel(workerData.config as TrainConfig)
  const vars = model.trainableVariables
  port.on('message', (m: ReplicaStep) => {
    try {
      vars.forEach((v, i) => v.assign(tf.tensor(m.weights[i], v.shape, 'float32')))
      const out = tf.tidy(() => {
        const input = tf.tensor4d(m.input, m.inputShape)
        const target = m.target ? tf.tensor4d(m.target, m.targetShape) : input
        const r = batchGradients(model, input, target, m.seed, m.slice)
        return [r.value, r.recon, r.kl ?? tf.scalar(0), ...r.grads]
      })
      const [value, recon, kl, ...grads] = out.map((t) => t.dataSync() as Float32Array)
      tf.dispose(out)
      reply(
        { type: 'grads', value: value[0], recon: recon[0], kl: kl[0], grads },
        grads.map((g) => g.buffer as ArrayBuffer)
      )
    } catch (err) {
      reply({ type: 'failed', message: (err as Error).message })
    }
  })
  reply({ type: 'ready' })
}

main().catch((err: Error) => reply({ type: 'failed', message: err.message }))
