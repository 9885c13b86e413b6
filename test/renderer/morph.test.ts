// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import MorphSlider from '../../src/renderer/src/components/MorphSlider.vue'
import { LatestOnly } from '../../src/renderer/src/stores/latest-only'
import { useMorphStore } from '../../src/renderer/src/stores/morph'
import { provideApi } from '../../src/renderer/src/studio'
import type { MorphFrame } from '../../src/shared/contract/viewers'
import { fakeApi } from './fake-api'
import { keyframe, morphExport, morphFrame } from './fixtures'
import { flush, gated } from './helpers'

describe('MorphSlider', () => {
  it('emits the position on input, steps one frame per key and says where it is in words', async () => {
    const w = mount(MorphSlider, { props: { modelValue: 0, keyframes: 3, frames: 11 } })
    const input = w.find('input[type=range]')
    expect(input.attributes('step')).toBe(String(1 / 10))
    expect(input.attributes('aria-label')).toBeTruthy()
    ;(input.element as HTMLInputElement).value = '0.75'
    await input.trigger('input')
    expect(w.emitted('update:modelValue')).toEqual([[0.75]])
    await w.setProps({ modelValue: 0.75 })
    // 3 keyframes → 2 segments; 0.75 is half way from keyframe 2 to 3.
    expect(input.attributes('aria-valuetext')).toBe('50% of the way from keyframe 2 to keyframe 3')
  })
})

describe('LatestOnly', () => {
  it('runs one job at a time and then only the newest waiting request', async () => {
    const started: number[] = []
    const { gates, handler } = gated<number>()
    const results: number[] = []
    const q = new LatestOnly<number, number>(
      (t) => {
        started.push(t)
        return handler()
      },
      (out) => results.push(out),
      () => {}
    )
    for (const t of [0.1, 0.2, 0.3, 0.4, 0.5]) q.request(t)
    expect(started).toEqual([0.1])
    gates[0].resolve(1)
    await flush()
    expect(started).toEqual([0.1, 0.5])
    gates[1].resolve(5)
    await flush()
    expect(results).toEqual([1, 5])
    expect(q.busy).toBe(false)
  })
})

describe('morph store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('decodes the slider position live once two keyframes are chosen, dropping stale positions', async () => {
    const { gates, handler } = gated<MorphFrame>()
    const fake = fakeApi({ 'morph.frame': handler })
    provideApi(fake.api)
    const s = useMorphStore()
    s.setRun(4)
    s.seek(0.5)
    expect(fake.calls).toHaveLength(0) // no keyframes yet: nothing to decode
    s.addKeyframe(keyframe(1, 'a'))
    s.addKeyframe(keyframe('/tmp/b.png', 'b'))
    expect(fake.calls).toHaveLength(1)
    for (const t of [0.6, 0.7, 0.8]) s.seek(t)
    gates[0].resolve(morphFrame({ dataUrl: 'data:image/png;base64,AAA', t: 0.5 }))
    await flush()
    expect(s.frame).toBe('data:image/png;base64,AAA')
    expect(fake.calls.map((c) => (c.input as { t: number }).t)).toEqual([0.5, 0.8])
    expect(fake.calls[1].input).toMatchObject({
      runId: 4,
      keyframes: [1, '/tmp/b.png'],
      interp: 'slerp'
    })
    gates[1].resolve(morphFrame({ dataUrl: 'data:image/png;base64,BBB', t: 0.8 }))
    await flush()
    expect(s.frame).toBe('data:image/png;base64,BBB')
    expect(s.frameMs).not.toBeNull()
  })

  it('exports with the chosen options and reports a failure next to the button', async () => {
    const written = morphExport({ file: '/data/exports/m.gif', frames: 46 })
    const fake = fakeApi({ 'morph.export': () => written })
    provideApi(fake.api)
    const s = useMorphStore()
    await s.exportGif('/data/exports/m.gif')
    expect(s.exportError).toMatch(/two keyframes/)
    s.setRun(2)
    s.keyframes = [keyframe(1, 'a'), keyframe(2, 'b')]
    s.options.frames = 24
    await s.exportGif('/home/me/m.gif')
    expect(fake.calls.at(-1)).toMatchObject({
      name: 'morph.export',
      input: {
        runId: 2,
        frames: 24,
        pingpong: true,
        delay: 80,
        size: 256,
        interp: 'slerp',
        out: '/home/me/m.gif'
      }
    })
    expect(s.exported).toEqual(written)
    fake.handlers['morph.export'] = () => {
      throw new Error('The run has no checkpoint yet.')
    }
    await s.exportGif('/data/exports/m.gif')
    expect(s.exportError).toBe('The run has no checkpoint yet.')
  })
})
