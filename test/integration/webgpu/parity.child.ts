// Child process (spawned with SwiftShader as its GPU by webgpu-node.test.ts): for each model kind, one loss,
// its gradients and one Adam step on the cpu backend and on webgpu from the same weights and inputs; prints one
// JSON line per kind with the differences.
import * as tf from '@tensorflow/tfjs'
import { initBackend } from '../../../src/main/backends/activate'
import { modelInput } from '../../../src/engine/loop'
import { buildModel } from '../../../src/engine/models/index'
import { modelKinds, parseTrainConfig, type ModelKind } from '../../../src/shared/config'

interface Step {
  loss: number
  grads: Float32Array[]
  before: Float32Array[]
  after: Float32Array[]
  leaked: number
}

const BATCH = 4
// Conv kinds at 16×16 (three stride-2 stages leave 2×2); the dense kinds' cost is in their 512-wide layers.
const sizeOf = (kind: ModelKind) => (kind === 'dense' || kind === 'contractive' ? 8 : 16)

const configOf = (kind: ModelKind, upsample: 'transpose' | 'resize') =>
  parseTrainConfig({
    model: kind,
    upsample,
    size: sizeOf(kind),
    channels: 3,
    latent: 8,
    batch: BATCH,
    seed: 3,
    lr: 1e-3,
    noise: { kind: 'gaussian', amount: 0.2 }
  })

const read = (ts: tf.Tensor[]) => Promise.all(ts.map((t) => t.data() as Promise<Float32Array>))

/** One loss, its gradients and one Adam step on the active backend, from `weights` when given. */
async function step(
  kind: ModelKind,
  upsample: 'transpose' | 'resize',
  weights?: Float32Array[]
): Promise<Step> {
  const config = configOf(kind, upsample)
  const model = buildModel(config)
  const vars = model.trainableVariables
  if (weights) vars.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(weights[i], v.shape))))
  const start = tf.memory().numTensors
  const optimizer = tf.train.adam(config.lr)
  const size = config.size
  // Seeded random ops draw on the CPU, so both backends see the same images, noise and VAE samples.
  const x = tf.randomUniform([BATCH, size, size, 3], 0, 1, 'float32', 11) as tf.Tensor4D
  const input = modelInput(x, config, 5)
  const before = await read(vars)
  const { value, grads } = tf.variableGrads(() => model.loss(input, x, true, 7).total, vars)
  const list = vars.map((v) => grads[v.name])
  const loss = (await value.data())[0]
  const g = await read(list)
  optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: list[i] })))
  const after = await read(vars)
  tf.dispose([x, input, value, ...list])
  optimizer.dispose()
  // Adam's state went with it; anything left over is a leak in the loss, its gradient or the update.
  const leaked = tf.memory().numTensors - start
  model.dispose()
  return { loss, grads: g, before, after, leaked }
}

/** max |a − b| over max |b|: the error relative to the tensor's scale (element-wise ratios blow up near 0). */
function relative(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0
  a.forEach((x, i) => {
    let scale = 0
    let diff = 0
    for (let j = 0; j < x.length; j++) {
      scale = Math.max(scale, Math.abs(b[i][j]))
      diff = Math.max(diff, Math.abs(x[j] - b[i][j]))
    }
    worst = Math.max(worst, scale > 0 ? diff / scale : diff)
  })
  return worst
}

const delta = (s: Step) => s.after.map((w, i) => w.map((v, j) => v - s.before[i][j]))

const kinds = (process.argv[2] ? process.argv[2].split(',') : modelKinds) as ModelKind[]
const upsample = (process.argv[3] ?? 'transpose') as 'transpose' | 'resize'

await initBackend('cpu')
const reference = new Map<ModelKind, Step>()
for (const kind of kinds) reference.set(kind, await step(kind, upsample))

const gpu = await initBackend('webgpu')
console.log(
  JSON.stringify({ adapter: gpu.adapter, epsilon: tf.backend().epsilon(), backend: tf.getBackend() })
)
for (const kind of kinds) {
  const cpu = reference.get(kind)!
  const t = performance.now()
  const web = await step(kind, upsample, cpu.before)
  console.log(
    JSON.stringify({
      kind,
      size: sizeOf(kind),
      loss: { cpu: cpu.loss, webgpu: web.loss },
      lossRel: Math.abs(web.loss - cpu.loss) / Math.abs(cpu.loss),
      gradRel: relative(web.grads, cpu.grads),
      // The Adam update itself (weights after minus before), so the comparison is not swamped by the weights.
      adamRel: relative(delta(web), delta(cpu)),
      leaked: web.leaked,
      ms: Math.round(performance.now() - t)
    })
  )
}
