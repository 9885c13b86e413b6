// The webgpu backend under Node (dawn.node) on SwiftShader, Debian chromium's software Vulkan driver, in child
// processes (the Vulkan loader's path must be set before a process starts). Per model kind, the loss, its
// gradients and one Adam step match the cpu backend; three epochs of the conv model through the real training
// loop reach the wasm run's test error; no tensors leak.
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { modelKinds } from '../../src/shared/config'
import { ROOT } from '../helpers/cli'
import { runChild, swiftShaderEnv, swiftShaderMissing } from '../helpers/swiftshader'

const missing = swiftShaderMissing()
if (missing) console.warn(`webgpu tests SKIPPED: ${missing}`)

const child = (name: string) => join(ROOT, 'test', 'integration', 'webgpu', name)

interface Parity {
  kind: string
  lossRel: number
  gradRel: number
  adamRel: number
  leaked: number
  ms: number
}

interface Trained {
  backend: string
  initial: number
  final: number
  epochs: { loss: number; tensors: number }[]
  tensorsAfter: number
  seconds: number
}

describe.skipIf(missing)('webgpu backend on SwiftShader (dawn.node)', () => {
  let env: NodeJS.ProcessEnv
  beforeAll(() => {
    env = swiftShaderEnv(true)
  })

  it('matches the cpu backend for every model kind: loss, gradients and one Adam step', () => {
    const { results, seconds } = runChild(child('parity.child.ts'), [], env, 400_000)
    const [head, ...kinds] = results as [Record<string, unknown>, ...Parity[]]
    console.log(`webgpu parity: ${seconds.toFixed(1)} s for ${kinds.length} kinds`)
    expect(head.backend).toBe('webgpu')
    expect(head.adapter).toMatchObject({ architecture: 'swiftshader', isFallbackAdapter: true })
    // tfjs-webgpu reports float32, so Adam's default ε is 1e-7 (tfjs-webgl's would be 1e-4).
    expect(head.epsilon).toBe(1e-7)
    expect(kinds.map((k) => k.kind)).toEqual(modelKinds)
    for (const k of kinds) {
      console.log(
        `  ${k.kind.padEnd(12)} loss ${k.lossRel.toExponential(1)}  grads ${k.gradRel.toExponential(1)}` +
          `  adam ${k.adamRel.toExponential(1)}  ${k.ms} ms`
      )
      expect(k.lossRel, k.kind).toBeLessThan(1e-5)
      expect(k.gradRel, k.kind).toBeLessThan(1e-4)
      // Adam's first step is about lr·sign(g): elements with |g| near ε amplify float differences.
      expect(k.adamRel, k.kind).toBeLessThan(2e-3)
      expect(k.leaked, k.kind).toBe(0)
    }
  }, 420_000)

  it('trains the conv model for 3 epochs to the test error of a wasm run with the same seed', () => {
    const { results, seconds } = runChild(child('three-epochs.child.ts'), ['wasm,webgpu'], env, 400_000)
    const [wasm, webgpu] = results as unknown as Trained[]
    console.log(
      `3 epochs, conv 16×16: test error wasm ${wasm.initial.toFixed(4)} → ${wasm.final.toFixed(5)} ` +
        `(${wasm.seconds.toFixed(1)} s), webgpu ${webgpu.initial.toFixed(4)} → ${webgpu.final.toFixed(5)} ` +
        `(${webgpu.seconds.toFixed(1)} s); child ${seconds.toFixed(1)} s`
    )
    expect([wasm.backend, webgpu.backend]).toEqual(['wasm', 'webgpu'])
    // Both learned something, so agreeing is not trivial...
    for (const r of [wasm, webgpu]) expect(r.final).toBeLessThan(0.75 * r.initial)
    // ...and they agree.
    expect(Math.abs(webgpu.final - wasm.final) / wasm.final).toBeLessThan(0.15)
    // The tensor count is flat from epoch to epoch and back to zero once model and optimizer are gone.
    expect(new Set(webgpu.epochs.map((e) => e.tensors)).size).toBe(1)
    expect(webgpu.tensorsAfter).toBe(0)
  }, 420_000)
})
