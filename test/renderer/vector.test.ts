// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import VectorView from '../../src/renderer/src/views/VectorView.vue'
import { useVectorStore } from '../../src/renderer/src/stores/vector'
import { provideApi } from '../../src/renderer/src/studio'
import type { AttributeVector, VectorFrame } from '../../src/shared/contract/vector'
import { fakeApi } from './fake-api'
import { keyframe, vectorExport, vectorFrame } from './fixtures'
import { flush, gated } from './helpers'

const vector: AttributeVector = {
  runId: 3,
  vector: [0.3, -0.4],
  dimensions: 2,
  norm: 0.5,
  withCount: 1,
  withoutCount: 1
}

describe('vector store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('computes the vector once both sets have images, then decodes the latest strength only', async () => {
    const { gates, handler } = gated<VectorFrame>()
    const fake = fakeApi({ 'vector.compute': () => vector, 'vector.frame': handler })
    provideApi(fake.api)
    const s = useVectorStore()
    s.setRun(3)
    s.pick(keyframe(1), 'with')
    expect(fake.calls).toHaveLength(0) // nothing to subtract yet
    s.pick(keyframe('/tmp/b.png'), 'without')
    await flush()
    expect(fake.calls.map((c) => c.name)).toEqual(['vector.compute'])
    expect(s.vector?.norm).toBe(0.5)
    s.pick(keyframe(7), 'target')
    for (const v of [0.5, 1, 1.5]) s.setStrength(v)
    gates[0].resolve(vectorFrame({ dataUrl: 'data:A', strength: 0 }))
    await flush()
    const frames = fake.calls.filter((c) => c.name === 'vector.frame').map((c) => c.input)
    expect(frames.map((i) => (i as { strength: number }).strength)).toEqual([0, 1.5])
    expect(frames[1]).toMatchObject({ runId: 3, withImages: [1], withoutImages: ['/tmp/b.png'], target: 7 })
    gates[1].resolve(vectorFrame({ dataUrl: 'data:B', strength: 1.5 }))
    await flush()
    expect(s.frame).toBe('data:B')
  })

  it('keeps an image in one set only and exports with the chosen options', async () => {
    const written = vectorExport({ file: '/out/v.gif', frames: 6 })
    const fake = fakeApi({
      'vector.compute': () => vector,
      'vector.frame': (i) => vectorFrame({ dataUrl: 'data:x', strength: i.strength }),
      'vector.export': () => written
    })
    provideApi(fake.api)
    const s = useVectorStore()
    await s.exportGif('/out/v.gif')
    expect(s.exportError).toMatch(/with and without the trait/)
    s.setRun(3)
    s.pick(keyframe(1), 'with')
    s.pick(keyframe(1), 'without')
    expect(s.withImages).toEqual([])
    s.pick(keyframe(2), 'with')
    s.pick(keyframe(9), 'target')
    s.options.frames = 6
    s.options.maxStrength = 2
    await s.exportGif('/out/v.gif')
    expect(fake.calls.at(-1)).toMatchObject({
      name: 'vector.export',
      input: {
        runId: 3,
        withImages: [2],
        withoutImages: [1],
        target: 9,
        strength: 2,
        frames: 6,
        out: '/out/v.gif'
      }
    })
    expect(s.exported).toEqual(written)
  })
})

describe('Vector view', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('says what to do without a trained run', async () => {
    provideApi(fakeApi({ 'runs.list': () => [] }).api)
    const w = mount(VectorView)
    await flushPromises()
    expect(w.text()).toContain('No trained model yet')
  })
})
