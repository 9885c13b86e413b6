// Per-kernel time of one training step of the benchmark network (what `aestudio bench` times), on any backend:
//   npx tsx scripts/profile-step.ts [--backend tensorflow] [--steps 8] [--rounds 3] [--cpu] [--all-shapes] [--model conv] [--json]
// Kernel times come from tf.profile, which on tfjs-node wraps each synchronous TFE_Execute call in hrtime, so
// "outside kernels" is what JavaScript (tape, tidy, dispose, op dispatch) costs per step.
import * as tf from '@tensorflow/tfjs'
import { parseTrainConfig, type BackendChoice } from '../src/shared/config'
import { initBackend } from '../src/main/backends/activate'
import { buildModel } from '../src/engine/models'
import { createAdam } from '../src/engine/adam'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : fallback
}
const steps = Number(arg('steps', '8'))
const config = parseTrainConfig({
  model: arg('model', 'conv') as 'conv',
  size: 64,
  channels: 3,
  latent: 64,
  batch: 32,
  lr: 1e-3,
  backend: arg('backend', 'tensorflow') as BackendChoice
})
const { name } = await initBackend(config.backend)
const model = buildModel(config)
const optimizer = createAdam(config.lr)
const vars = model.trainableVariables
const x = tf.randomUniform([config.batch, 64, 64, 3], 0, 1, 'float32', 1) as tf.Tensor4D
const step = (i: number) => {
  const { value, grads } = tf.variableGrads(() => model.loss(x, x, true, i).total, vars)
  optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name] })))
  tf.dispose([value, ...Object.values(grads)])
}
for (let i = 0; i < 4; i++) step(i)

// Wall time of the two halves of a step, unprofiled: gradients (forward + backward), then Adam's update.
let gradMs = 0
let adamMs = 0
const cpu0 = process.cpuUsage()
const t0 = performance.now()
for (let i = 0; i < steps; i++) {
  const a = performance.now()
  const { value, grads } = tf.variableGrads(() => model.loss(x, x, true, i).total, vars)
  const b = performance.now()
  optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name] })))
  adamMs += performance.now() - b
  gradMs += b - a
  tf.dispose([value, ...Object.values(grads)])
}
const wallMs = (performance.now() - t0) / steps
const cpu = process.cpuUsage(cpu0)
const cpuMs = (cpu.user + cpu.system) / 1000 / steps

// --cpu: time each kernel by the process's CPU time instead of the wall clock (TensorFlow's threads included), which
// a loaded machine distorts far less; run with TF_NUM_INTRAOP_THREADS=1 to keep spinning pool threads out of it.
if (process.argv.includes('--cpu')) {
  const timer = tf.backend() as unknown as { time(f: () => void): Promise<{ kernelMs: number }> }
  timer.time = async (f) => {
    const c = process.cpuUsage()
    f()
    const d = process.cpuUsage(c)
    return { kernelMs: (d.user + d.system) / 1000 }
  }
}
// Per kernel (name and first input's shape), the least time per step over several profiled rounds: on a shared
// machine the minimum is what the kernel costs, the rest is waiting for a core.
const rounds = Number(arg('rounds', '3'))
// --all-shapes: key kernels by every input's shape, which tells the convolutions of different layers apart.
const allShapes = process.argv.includes('--all-shapes')
const best = new Map<string, { calls: number; ms: number }>()
for (let r = 0; r < rounds; r++) {
  const info = await tf.profile(() => {
    for (let i = 0; i < steps; i++) step(i)
  })
  const rows = new Map<string, { calls: number; ms: number }>()
  for (const k of info.kernels) {
    const shapes = k.inputShapes.filter(Boolean)
    const key = `${k.name} ${JSON.stringify(allShapes ? shapes : (shapes[0] ?? []))}`
    const row = rows.get(key) ?? { calls: 0, ms: 0 }
    row.calls++
    row.ms += k.kernelTimeMs as number
    rows.set(key, row)
  }
  for (const [key, row] of rows) {
    const prev = best.get(key)
    if (!prev || row.ms < prev.ms) best.set(key, row)
  }
}
const table = [...best.entries()]
  .map(([key, r]) => ({ kernel: key, callsPerStep: r.calls / steps, msPerStep: r.ms / steps }))
  .sort((a, b) => b.msPerStep - a.msPerStep)
const inKernels = table.reduce((s, r) => s + r.msPerStep, 0)
const calls = table.reduce((s, r) => s + r.callsPerStep, 0)
if (process.argv.includes('--json')) {
  console.log(
    JSON.stringify({
      backend: name,
      wallMs,
      cpuMs,
      gradMs: gradMs / steps,
      adamMs: adamMs / steps,
      inKernels,
      calls,
      table
    })
  )
} else {
  console.log(
    `backend ${name}: ${wallMs.toFixed(1)} ms/step unprofiled (${cpuMs.toFixed(1)} ms CPU; gradients ` +
      `${(gradMs / steps).toFixed(1)}, Adam ${(adamMs / steps).toFixed(1)}), ${inKernels.toFixed(1)} ms in ${calls} kernel calls`
  )
  for (const r of table)
    console.log(
      `${r.msPerStep.toFixed(2).padStart(8)} ms ${String(r.callsPerStep).padStart(4)}×  ${r.kernel}`
    )
}
tf.dispose(x)
optimizer.dispose()
model.dispose()
