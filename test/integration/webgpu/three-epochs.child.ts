// Child process (spawned with SwiftShader as its GPU by webgpu-node.test.ts): the conv model trained for three
// epochs on 16×16 images through the real training loop, on each backend named in argv[2] in turn, from the
// same seed; prints one JSON line per backend with the test error before and after, and the tensor counts.
import * as tf from '@tensorflow/tfjs'
import { initBackend } from '../../../src/main/backends/activate'
import { evaluateLoss, trainLoop, type EpochReport } from '../../../src/engine/loop'
import { buildModel } from '../../../src/engine/models/index'
import { parseTrainConfig, type BackendChoice } from '../../../src/shared/config'
import { fromStart, splitPixels } from '../../helpers/loop'

const SIZE = 16
const TRAIN = 16
const TEST = 8

/** A bright disc per image on a dark ground, its centre and radius varying: learnable in a few epochs. */
function discs(n: number): Uint8Array {
  const out = new Uint8Array(n * SIZE * SIZE * 3)
  for (let i = 0; i < n; i++) {
    const cx = 3 + ((i * 5) % (SIZE - 6))
    const cy = 3 + ((i * 7) % (SIZE - 6))
    const r2 = (2 + (i % 3)) ** 2
    for (let y = 0; y < SIZE; y++)
      for (let x = 0; x < SIZE; x++)
        for (let c = 0; c < 3; c++) {
          const inside = (x - cx) ** 2 + (y - cy) ** 2 <= r2
          out[((i * SIZE + y) * SIZE + x) * 3 + c] = inside ? 230 - 50 * c : 20 + 15 * c
        }
  }
  return out
}

const config = parseTrainConfig({
  model: 'conv',
  size: SIZE,
  channels: 3,
  latent: 8,
  batch: 4,
  epochs: 3,
  lr: 5e-3,
  seed: 7
})
const data = splitPixels(config, discs(TRAIN + TEST), TRAIN)

for (const choice of process.argv[2].split(',') as BackendChoice[]) {
  const backend = await initBackend(choice)
  const started = performance.now()
  const model = buildModel(config)
  const optimizer = tf.train.adam(config.lr)
  const testError = () => evaluateLoss(model, data.val, TEST, config, SIZE, 3)
  const initial = await testError()
  const epochs: EpochReport[] = []
  await trainLoop({
    ...fromStart({ model, optimizer, data, config }, epochs),
    residentBytes: () => process.memoryUsage().rss
  })
  const final = await testError()
  model.dispose()
  optimizer.dispose()
  console.log(
    JSON.stringify({
      backend: backend.name,
      initial,
      final,
      epochs: epochs.map((e) => ({
        loss: e.loss,
        valLoss: e.valLoss,
        seconds: e.seconds,
        tensors: e.tensors
      })),
      tensorsAfter: tf.memory().numTensors,
      seconds: (performance.now() - started) / 1000
    })
  )
}
