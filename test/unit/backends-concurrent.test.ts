// Its own file, so the backend starts from nothing in this process: two callers that load models at the same
// moment (the Insights tab asks for PCA and compression together) must both get a working backend.
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { initBackend } from '../../src/main/backends/activate'

describe('initBackend under concurrent callers', () => {
  it('starts the backend once and answers every caller', async () => {
    const results = await Promise.all([initBackend('auto'), initBackend('auto'), initBackend('wasm')])
    expect(results.map((r) => r.name)).toEqual(['wasm', 'wasm', 'wasm'])
    expect(tf.getBackend()).toBe('wasm')
    const x = tf.tensor1d([1, 2, 3])
    expect(Array.from(await x.square().data())).toEqual([1, 4, 9])
    tf.dispose(x)
  })
})
