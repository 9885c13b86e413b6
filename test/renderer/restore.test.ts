// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import RestoreView from '../../src/renderer/src/views/RestoreView.vue'
import { restoreKindOf, useRestoreStore } from '../../src/renderer/src/stores/restore'
import { provideApi } from '../../src/renderer/src/studio'
import type { ModelKind } from '../../src/shared/config'
import type { RestoreResult } from '../../src/shared/contract/restore'
import { fakeApi } from './fake-api'
import { keyframe, restoreResult, restoredImage, run, trainConfig } from './fixtures'
import { deferred } from './helpers'

const result = (image: number | string, tag: string) =>
  restoreResult({
    images: [
      restoredImage({ image, name: String(image), input: `data:in-${tag}`, output: `data:out-${tag}` })
    ]
  })

/** A finished latent-8 run of the given kind, its dataset since deleted. */
const trained = (id: number, model: ModelKind) =>
  run({ id, datasetId: null, config: trainConfig({ model, latent: 8 }) })

describe('restore store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('calls restore.colorize for a colorize run and restore.clean for a denoising run', async () => {
    const fake = fakeApi({
      'restore.colorize': () => result(1, 'c'),
      'restore.clean': () => result('/tmp/a.png', 'd')
    })
    provideApi(fake.api)
    const s = useRestoreStore()
    s.setRun({ id: 1, model: 'colorize' })
    s.add(keyframe(1))
    s.add(keyframe(1)) // once only
    s.add(keyframe('/tmp/a.png'))
    await s.restore()
    expect(fake.calls.at(-1)).toEqual({
      name: 'restore.colorize',
      input: { runId: 1, images: [1, '/tmp/a.png'] }
    })
    expect(s.results[0].output).toBe('data:out-c')
    s.setRun({ id: 2, model: 'denoising' })
    // Dataset ids belonged to the old run's dataset; paths stay. Old results go.
    expect(s.images.map((i) => i.source)).toEqual(['/tmp/a.png'])
    expect(s.results).toEqual([])
    await s.restore()
    expect(fake.calls.at(-1)).toEqual({ name: 'restore.clean', input: { runId: 2, images: ['/tmp/a.png'] } })
    expect(restoreKindOf('conv')).toBeNull()
  })

  it('says what is missing in plain words, shows errors, and never lets an old answer win', async () => {
    const gates: ReturnType<typeof deferred<RestoreResult>>[] = []
    const fake = fakeApi({
      'restore.colorize': () => {
        const d = deferred<RestoreResult>()
        gates.push(d)
        return d.promise
      }
    })
    provideApi(fake.api)
    const s = useRestoreStore()
    await s.restore()
    expect(s.error).toMatch(/Pick a colorize run/)
    s.setRun({ id: 4, model: 'conv' })
    await s.restore()
    expect(s.error).toMatch(/Pick a colorize run/)
    s.setRun({ id: 1, model: 'colorize' })
    await s.restore()
    expect(s.error).toMatch(/Add at least one image/)
    expect(fake.calls).toHaveLength(0)

    s.add(keyframe('/a.png'))
    const first = s.restore()
    const second = s.restore()
    gates[1].resolve(result('/a.png', 'new'))
    await second
    gates[0].resolve(result('/a.png', 'old'))
    await first
    expect(s.results[0].output).toBe('data:out-new')
    expect(s.busy).toBe(false)

    fake.handlers['restore.colorize'] = () => Promise.reject(new Error('bad.png: not an image.'))
    await s.restore()
    expect(s.error).toMatch(/bad\.png: not an image/)
    expect(s.results[0].output).toBe('data:out-new') // nothing lost
  })
})

describe('Restore view', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('says what to train when there is no colorize or denoising run', async () => {
    provideApi(fakeApi({ 'runs.list': () => [trained(1, 'conv')] }).api)
    const w = mount(RestoreView)
    await flushPromises()
    expect(w.text()).toContain('No colourisation or cleaning model yet')
  })

  it('colourises typed paths and shows input and output side by side', async () => {
    const fake = fakeApi({
      'runs.list': () => [trained(1, 'conv'), trained(5, 'colorize')],
      'restore.colorize': () => result('/photos/old.png', 'x')
    })
    provideApi(fake.api)
    const w = mount(RestoreView)
    await flushPromises()
    expect(w.findAll('option').map((o) => o.text())).toHaveLength(1)
    await w.find('#restore-path').setValue('/photos/old.png')
    await w.find('form').trigger('submit')
    const button = w.findAll('button').find((b) => b.text().startsWith('Colourise'))!
    expect(button.text()).toBe('Colourise 1 image')
    await button.trigger('click')
    await flushPromises()
    expect(fake.calls.at(-1)).toEqual({
      name: 'restore.colorize',
      input: { runId: 5, images: ['/photos/old.png'] }
    })
    const imgs = w.findAll('table img')
    expect(imgs.map((i) => i.attributes('src'))).toEqual(['data:in-x', 'data:out-x'])
    expect(imgs.map((i) => i.attributes('alt'))).toEqual([
      'Grey input: /photos/old.png',
      'Colourised: /photos/old.png'
    ])
  })
})
