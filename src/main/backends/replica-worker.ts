// A training replica (data-parallel wasm training, see replicas.ts): a worker thread holding its own wasm backend
// and a copy of the model, computing the gradients of its slice of each batch with the weights it is given.
import { parentPort, workerData } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs'
import type { TrainConfig } from '../../shared/config'
import { initBackend } from './activate'
import { batchGradients } from '../../engine/loop'
import { buildModel } from '../../engine/models'
import { heapView } from './replica-memory'
import type { ReplicaInit, ReplicaReply, ReplicaStep } from './replica-protocol'

const port = parentPort!
const reply = (m: ReplicaReply) => port.postMessage(m)
const init = workerData as ReplicaInit

async function main() {
  await initBackend('wasm', { threads: 1 })
  const model = buildModel(init.config as TrainConfig)
  const vars = model.trainableVariables
  const sizes = vars.map((v) => v.size)
  if (sizes.join() !== init.sizes.join()) throw new Error('the replica built a different model')
  const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0))
  const weights = new Float32Array(init.weights)
  const grads = new Float32Array(init.grads)
  const view = (buf: SharedArrayBuffer, shape: number[]) =>
    new Float32Array(
      buf,
      0,
      shape.reduce((a, b) => a * b, 1)
    )
  port.on('message', (m: ReplicaStep) => {
    try {
      vars.forEach((v, i) =>
        v.assign(tf.tensor(weights.subarray(offsets[i], offsets[i] + sizes[i]), v.shape, 'float32'))
      )
      const r = tf.tidy(() => {
        const input = tf.tensor4d(view(m.input, m.inputShape), m.inputShape)
        const target = m.target ? tf.tensor4d(view(m.target, m.targetShape), m.targetShape) : input
        const g = batchGradients(model, input, target, m.seed, m.slice)
        return [g.value, g.recon, g.kl ?? tf.scalar(0), ...g.grads]
      })
      const [value, recon, kl, ...gs] = r
      gs.forEach((g, i) => grads.set(heapView(g), offsets[i]))
      const scalars = [value, recon, kl].map((t) => t.dataSync()[0])
      tf.dispose(r)
      reply({ type: 'grads', value: scalars[0], recon: scalars[1], kl: scalars[2] })
    } catch (err) {
      reply({ type: 'failed', message: (err as Error).message })
    }
  })
  reply({ type: 'ready' })
}

main().catch((err: Error) => reply({ type: 'failed', message: err.message }))
