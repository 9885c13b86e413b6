// Its own file, so the backend starts from nothing in this process: two callers that load models at the same
// moment (the Insights tab asks for PCA and compression together) must both get a working backend.
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { initBackend, probeBackends } from '../../src/main/backends/activate'

describe('initBackend under concurrent callers', () => {
  it('starts the backend once and answers every caller', async () => {
    // auto takes the best that loads here: tensorflow where `npm run setup:tensorflow` ran, else wasm.
    const best = probeBackends().find((b) => b.available)!.name
    const results = await Promise.all([initBackend('auto'), initBackend('auto'), initBackend('wasm')])
    expect(results.map((r) => r.name)).toEqual([best, best, 'wasm'])
    expect(tf.getBackend()).toBe('wasm')
    const x = tf.tensor1d([1, 2, 3])
    expect(Array.from(await x.square().data())).toEqual([1, 4, 9])
    tf.dispose(x)
  })
})
