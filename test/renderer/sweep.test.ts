// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('chart.js', async () => (await import('./chart-stub')).chartModule)

import SweepView from '../../src/renderer/src/views/SweepView.vue'
import { parseLatentList, useSweepStore } from '../../src/renderer/src/stores/sweep'
import { provideApi } from '../../src/renderer/src/studio'
import { createdCharts } from './chart-stub'
import { fakeApi } from './fake-api'
import { dataset, sweep, sweepExport, sweepGrid } from './fixtures'

const faces = dataset({ size: 16, channels: 1 })

describe('sweep store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('parses latent lists and refuses junk', () => {
    expect(parseLatentList('2, 4,8  16')).toEqual([2, 4, 8, 16])
    expect(parseLatentList('2,x')).toBeNull()
    expect(parseLatentList('')).toBeNull()
  })

  it('starts a sweep, follows its progress events and loads the grid as sizes finish', async () => {
    const fake = fakeApi({
      'sweep.start': () => sweep(),
      'sweep.list': () => [sweep()],
      'sweep.grid': () => sweepGrid({ dataUrl: 'data:grid', rows: ['original', 'latent 2'] })
    })
    provideApi(fake.api)
    const s = useSweepStore()
    await s.start(1, { model: 'conv', size: 16, channels: 1 }, [2, 4, 8])
    expect(fake.calls[0]).toMatchObject({ name: 'sweep.start', input: { datasetId: 1, latents: [2, 4, 8] } })
    expect(s.running).toBe(true)
    const done = sweep({ results: [{ latent: 2, runId: 11, valMse: 0.04 }] })
    fake.emit('sweep.progress', {
      sweepId: 5,
      index: 0,
      latent: 2,
      runId: 11,
      runStatus: 'done',
      sweep: done
    })
    fake.emit('sweep.progress', {
      sweepId: 99,
      index: 0,
      latent: 2,
      runId: 1,
      runStatus: 'done',
      sweep: sweep({ id: 99 })
    })
    await flushPromises()
    expect(s.current?.id).toBe(5)
    expect(s.points).toEqual([{ x: 2, y: 0.04 }])
    // The list of sweeps follows the events too, the open one and the others.
    expect(s.list.find((x) => x.id === 5)?.results).toHaveLength(1)
    expect(s.list.map((x) => x.id)).toContain(99)
    expect(s.grid).toBe('data:grid')
  })
})

describe('Sweep view', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('sends the user to import a dataset when there is none', async () => {
    provideApi(fakeApi({ 'datasets.list': () => [], 'sweep.list': () => [] }).api)
    const w = mount(SweepView)
    await flushPromises()
    expect(w.text()).toContain('No dataset yet')
    expect(w.find('form').exists()).toBe(false)
  })

  it('charts error against latent size, lists each run and shows the reconstructions', async () => {
    const finished = sweep({
      status: 'done',
      results: [
        { latent: 8, runId: 13, valMse: 0.01 },
        { latent: 2, runId: 11, valMse: 0.04 }
      ]
    })
    const fake = fakeApi({
      'datasets.list': () => [faces],
      'sweep.list': () => [finished],
      'sweep.get': () => finished,
      'sweep.grid': () => sweepGrid({ dataUrl: 'data:grid', rows: ['original', 'latent 8', 'latent 2'] }),
      'sweep.export': (i) => sweepExport({ file: i.out, frames: 2, latents: [8, 2] })
    })
    provideApi(fake.api)
    createdCharts.length = 0
    const w = mount(SweepView)
    await flushPromises()
    expect(w.text()).toContain('2 of 3 sizes done')
    expect(w.findAll('tbody tr').map((r) => r.text())).toEqual(['8#130.01000', '2#110.04000'])
    expect(createdCharts.at(-1)!.data.datasets[0].data).toEqual([
      { x: 2, y: 0.04 },
      { x: 8, y: 0.01 }
    ])
    expect(w.find('img.grid').attributes('src')).toBe('data:grid')
    expect(w.text()).toContain('original, latent 8, latent 2')
  })

  it("shows the dataset's default batch and leaves batch and augmentation to main unless the batch is set", async () => {
    // 90 training images: batch 16, augmentation on (what main gives a sweep or a single run on it).
    const fake = fakeApi({
      'datasets.list': () => [faces],
      'sweep.list': () => [],
      'sweep.start': () => sweep()
    })
    provideApi(fake.api)
    const w = mount(SweepView)
    await flushPromises()
    expect(w.find('#sweep-batch-hint').text()).toContain('auto: 16 for this dataset (90 training images)')
    await w.find('form').trigger('submit')
    await flushPromises()
    const sent = () =>
      fake.calls.filter((c) => c.name === 'sweep.start').map((c) => c.input as { config: object })
    expect(sent()[0].config).not.toHaveProperty('batch')
    expect(sent()[0].config).not.toHaveProperty('augment')
    await w.find('input[aria-describedby=sweep-batch-hint]').setValue('8')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(sent()[1]).toMatchObject({ config: { batch: 8 } })
    w.unmount()
  })
})
