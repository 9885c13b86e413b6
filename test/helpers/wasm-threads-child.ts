// A process that trains on two wasm threads and then ends as told: `end` (returns), `exit` (process.exit(3)
// mid-training), `fail` (training throws), `wait` (trains until killed), `undisposed` (one step on replicas that
// are never disposed). The second argument is how the threads are used: `kernels` (XNNPACK's pool) or `batch`
// (data-parallel replicas). Started by wasm-threads-exit.test.ts.
import * as tf from '@tensorflow/tfjs'
import { initBackend } from '../../src/main/backends/activate'
import { buildModel } from '../../src/engine/models'
import { startReplicas } from '../../src/main/backends/replicas'
import { parseTrainConfig } from '../../src/shared/config'
import { trainFewSteps } from './wasm-train'

const mode = process.argv[2]
const split = process.argv[3] as 'kernels' | 'batch'
const { threads, replicas } = await initBackend('wasm', { threads: 2, split })
console.log(`threads ${threads}`)
if (mode === 'undisposed') {
  const model = buildModel(parseTrainConfig({ model: 'dense', size: 8, channels: 1, latent: 4 }))
  const x = tf.zeros([4, 8, 8, 1]) as tf.Tensor4D
  const g = await (await startReplicas(model, 2)).gradients(x, x, 1)
  console.log(`trained ${g.grads.length}`)
} else await train()

async function train() {
  if (mode === 'exit') setTimeout(() => process.exit(3), 0)
  const onBatch =
    mode === 'fail'
      ? () => {
          throw new Error('training failed on purpose')
        }
      : undefined
  do await trainFewSteps('conv', { onBatch, replicas })
  while (mode === 'wait')
  console.log('trained')
}
