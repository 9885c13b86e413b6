import * as tf from '@tensorflow/tfjs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { initBackend, probeBackends } from '../../src/main/backends/activate'

const installed = (pkg: string) => {
  try {
    createRequire(import.meta.url).resolve(pkg)
    return true
  } catch {
    return false
  }
}
const nativeInstalled = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu')

describe('initBackend', () => {
  it.skipIf(nativeInstalled)(
    'auto falls back to wasm and says why the native ones were passed over',
    async () => {
      const hooks = () =>
        process.listeners('uncaughtException').length + process.listeners('unhandledRejection').length
      const before = hooks()
      const { name, notes } = await initBackend('auto')
      // The wasm runtime's rethrowing process hooks are removed again.
      expect(hooks()).toBe(before)
      expect(name).toBe('wasm')
      expect(tf.getBackend()).toBe('wasm')
      expect(notes.find((n) => n.startsWith('tensorflow-gpu passed over'))).toMatch(/not installed/)
      expect(notes.find((n) => n.startsWith('tensorflow passed over'))).toMatch(/not installed/)
      // No hardware GPU here: webgpu is passed over (no Vulkan loader, or only a software adapter).
      expect(notes.find((n) => n.startsWith('webgpu passed over'))).toMatch(/Vulkan loader|software GPU/)
      expect(notes.some((n) => /^wasm: SIMD on, \d+ thread/.test(n))).toBe(true)
      // Our training kernel is registered with it.
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined()
    }
  )

  it.skipIf(nativeInstalled)('an explicit choice that cannot be used is a clear error', async () => {
    await expect(initBackend('tensorflow')).rejects.toThrow(
      /^The tensorflow backend cannot be used here: not installed/
    )
    await expect(initBackend('tensorflow-gpu')).rejects.toThrow(/tensorflow-gpu backend cannot be used here/)
  })

  it('explicit wasm and cpu work, and can be switched between', async () => {
    expect((await initBackend('cpu')).name).toBe('cpu')
    expect(tf.getBackend()).toBe('cpu')
    expect((await initBackend('wasm')).name).toBe('wasm')
    expect(tf.getBackend()).toBe('wasm')
    expect(tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]).toBe(3)
  })

  it('probe lists every backend best first', () => {
    expect(probeBackends().map((b) => b.name)).toEqual([
      'tensorflow-gpu',
      'webgpu',
      'tensorflow',
      'wasm',
      'cpu'
    ])
  })
})
