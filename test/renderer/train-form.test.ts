// @vitest-environment happy-dom
// The Train screen's augmentation, batch and schedule fields: what the request carries, and what the person sees.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('chart.js', async () => (await import('./chart-stub')).chartModule)

import AugmentStrip from '../../src/renderer/src/components/AugmentStrip.vue'
import LossChart from '../../src/renderer/src/components/LossChart.vue'
import { useDatasetsStore } from '../../src/renderer/src/stores/datasets'
import { useTrainingStore } from '../../src/renderer/src/stores/training'
import TrainView from '../../src/renderer/src/views/TrainView.vue'
import { provideApi } from '../../src/renderer/src/studio'
import type { CallInput } from '../../src/shared/contract/index'
import { augmentGroups, DEFAULT_AUGMENT, NO_AUGMENT } from '../../src/shared/train-options'
import { createdCharts } from './chart-stub'
import { fakeApi } from './fake-api'
import { dataset, run } from './fixtures'
import { flush } from './helpers'

/** 89 images, 9 of them validation: 80 training images, so augmentation is on and the batch 16 by default. */
const small = dataset({ id: 1, imageCount: 89, valFraction: 0.1, channels: 3 })
const large = dataset({ id: 2, name: 'large', imageCount: 1000, valFraction: 0.1, channels: 1 })

/** A preview whose URLs say which seed and flip option made them. */
const previewOf = (input: CallInput<'training.augmentPreview'>) => ({
  datasetId: input.datasetId,
  size: 32,
  images: Array.from({ length: input.count ?? 8 }, (_, i) => ({
    imageId: 100 + i,
    dataUrl: `data:image/png;base64,S${input.seed}F${input.augment.flip ? 1 : 0}I${i}`
  }))
})

function studio() {
  return fakeApi({
    'datasets.list': () => [small, large],
    'datasets.images': () => ({ items: [], total: 0 }),
    'datasets.skipped': () => [],
    'training.augmentPreview': previewOf,
    'training.start': () => run({ id: 7, status: 'queued' }),
    'runs.get': () => run({ id: 7 })
  })
}

type Fake = ReturnType<typeof studio>
/** The input inside the label that reads `text`. */
const labelled = (w: ReturnType<typeof mount>, text: string) =>
  w
    .findAll('label')
    .find((l) => l.text() === text)!
    .find('input')
const startInput = (fake: Fake) => {
  const started = fake.calls.filter((c) => c.name === 'training.start')
  expect(started).toHaveLength(1)
  return started[0].input as { datasetId: number; config: Record<string, unknown> }
}

describe('Train form', () => {
  let fake: Fake
  beforeEach(() => {
    setActivePinia(createPinia())
    fake = studio()
    provideApi(fake.api)
  })

  it('leaves augment and batch out of the request until touched, and says what the defaults will be', async () => {
    const w = mount(TrainView)
    await flushPromises()
    expect(w.find('[data-test=augment-auto]').text()).toBe('auto: on for this dataset (80 training images)')
    expect(w.find('#batch-help').text()).toBe('auto: 16 for this dataset (80 training images)')
    expect((w.find('[data-test=augment-on]').element as HTMLInputElement).checked).toBe(true)
    await w.find('form').trigger('submit')
    await flushPromises()
    const { datasetId, config } = startInput(fake)
    expect(datasetId).toBe(1)
    expect('augment' in config).toBe(false)
    expect('batch' in config).toBe(false)
    expect(config).toMatchObject({ lrSchedule: { kind: 'constant' }, weightDecay: 0, earlyStop: 0 })

    // Another dataset, another default: off for 900 training images, batch 32; grey, so no colour to change.
    await w.find('select').setValue('2')
    expect(w.find('[data-test=augment-auto]').text()).toBe('auto: off for this dataset (900 training images)')
    expect(w.find('#batch-help').text()).toBe('auto: 32 for this dataset (900 training images)')
    expect(w.find('[data-test=augment-color]').element.parentElement?.textContent?.trim()).toBe(
      'Brightness and contrast'
    )
    w.unmount()
  })

  it('sends the batch size and the toggles once the person sets them', async () => {
    const w = mount(TrainView)
    await flushPromises()
    const batch = w.find('input[aria-describedby=batch-help]')
    await batch.setValue('8')
    await w.find('[data-test=augment-flip]').setValue(false)
    expect(w.find('[data-test=augment-auto]').text()).toContain('Your choice.')
    await w.find('form').trigger('submit')
    await flushPromises()
    const { config } = startInput(fake)
    expect(config.batch).toBe(8)
    expect(config.augment).toEqual(augmentGroups(['shift', 'rotate', 'color']))
    w.unmount()
  })

  it('sends the schedule with its own fields, weight decay and early stopping', async () => {
    const w = mount(TrainView)
    await flushPromises()
    await w.find('[data-test=schedule]').setValue('cosine')
    await labelled(w, 'Warm-up').setValue('3')
    await labelled(w, 'Weight decay').setValue('0.01')
    await labelled(w, 'Early-stop patience').setValue('6')
    // A half-typed number leaves the last one standing.
    await labelled(w, 'Epochs').setValue('')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(startInput(fake).config).toMatchObject({
      lrSchedule: { kind: 'cosine', warmup: 3, minLr: 0 },
      weightDecay: 0.01,
      earlyStop: 6,
      epochs: 20
    })
    w.unmount()
  })

  it('says when a run stopped early, and at which epoch', async () => {
    const w = mount(TrainView)
    await flushPromises()
    fake.handlers['runs.metrics'] = () => []
    fake.handlers['runs.previews'] = () => []
    await useTrainingStore().show(run({ id: 9, epochs: 20, epochsDone: 12, stoppedEarlyAt: 12 }))
    await flushPromises()
    expect(w.find('[role=status]').text()).toContain('stopped early at epoch 12')
    w.unmount()
  })
})

describe('augmentation toggles', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    provideApi(studio().api)
  })

  it('turn into the augment object: all groups, some, or off', () => {
    useDatasetsStore().list = [small, large]
    const s = useTrainingStore()
    s.datasetId = 1
    expect(s.requestConfig()).not.toHaveProperty('augment')
    s.setAugmentGroup('rotate', false)
    expect(s.requestConfig().augment).toEqual(augmentGroups(['flip', 'shift', 'color']))
    s.setAugmentOn(false)
    expect(s.requestConfig().augment).toEqual(NO_AUGMENT)
    s.setAugmentOn(true)
    expect(s.requestConfig().augment).toEqual(augmentGroups(['flip', 'shift', 'color']))
    s.setAugmentGroup('rotate', true)
    expect(s.requestConfig().augment).toEqual(DEFAULT_AUGMENT)
    s.resetAugment()
    expect(s.requestConfig()).not.toHaveProperty('augment')
  })

  it('start from the dataset default: on below 200 training images, off above', async () => {
    const s = useTrainingStore()
    // Before the datasets are loaded there is no default to show: off, and the preview unaugmented.
    expect(s.augmentShown.on).toBe(false)
    expect(s.augmentInEffect).toEqual(NO_AUGMENT)
    useDatasetsStore().list = [small, large]
    s.datasetId = 1
    expect(s.augmentShown.on).toBe(true)
    expect(s.augmentInEffect).toEqual(DEFAULT_AUGMENT)
    s.datasetId = 2
    expect(s.augmentShown.on).toBe(false)
    expect(s.augmentInEffect).toEqual(NO_AUGMENT)
    // Turning it on from an "off" default turns every group on.
    s.setAugmentOn(true)
    expect(s.requestConfig().augment).toEqual(DEFAULT_AUGMENT)
  })
})

describe('augmentation strip', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it("shows the call's images, and after a burst of changes asks once, for the latest options", async () => {
    const fake = studio()
    provideApi(fake.api)
    const w = mount(AugmentStrip, { props: { datasetId: 1, augment: NO_AUGMENT, delay: 0 } })
    await flush()
    await flushPromises()
    const srcs = () => w.findAll('img').map((i) => i.attributes('src'))
    expect(srcs()).toEqual(Array.from({ length: 8 }, (_, i) => `data:image/png;base64,S1F0I${i}`))
    expect(w.find('img').attributes('alt')).toBe('Training image 100, augmented')

    await w.setProps({ augment: { ...NO_AUGMENT, shift: 0.1 } })
    await w.setProps({ augment: { ...NO_AUGMENT, flip: true } })
    await flush()
    await flushPromises()
    const asked = fake.calls.filter((c) => c.name === 'training.augmentPreview')
    expect(asked.map((c) => c.input)).toEqual([
      { datasetId: 1, augment: NO_AUGMENT, count: 8, seed: 1 },
      { datasetId: 1, augment: { ...NO_AUGMENT, flip: true }, count: 8, seed: 1 }
    ])
    expect(srcs()[0]).toBe('data:image/png;base64,S1F1I0')

    // "Draw again" moves the seed on.
    await w.find('button').trigger('click')
    await flush()
    await flushPromises()
    expect(srcs()[0]).toBe('data:image/png;base64,S2F1I0')
    w.unmount()
  })

  it('shows a failed preview in plain words', async () => {
    const fake = studio()
    fake.handlers['training.augmentPreview'] = () => {
      throw new Error('Dataset 1 has no training images to preview.')
    }
    provideApi(fake.api)
    const w = mount(AugmentStrip, { props: { datasetId: 1, augment: NO_AUGMENT, delay: 0 } })
    await flush()
    await flushPromises()
    expect(w.find('[role=alert]').text()).toContain('Dataset 1 has no training images to preview.')
    w.unmount()
  })
})

describe('learning rate on the loss chart', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    provideApi(studio().api)
    createdCharts.length = 0
  })

  it('draws the epochs’ lr as its own line on a right-hand axis', async () => {
    const s = useTrainingStore()
    s.datasetId = 1
    await s.start()
    const epoch = (e: number, lr: number) => ({
      runId: 7,
      epoch: e,
      epochs: 2,
      loss: 0.4,
      recon: 0.4,
      kl: null,
      valLoss: 0.5,
      imagesPerSecond: 40,
      seconds: 2,
      etaSeconds: 2,
      tensors: 20,
      rss: 1e8,
      lr
    })
    const w = mount(LossChart, { props: { series: s.series, revision: s.revision, label: 'loss' } })
    s.onEpoch(epoch(1, 0.001))
    s.onEpoch(epoch(2, 0.0005))
    await w.setProps({ series: s.series, revision: s.revision })
    const chart = createdCharts.at(-1)!
    const lr = chart.data.datasets.find((d) => d.label === 'learning rate') as
      { data: unknown[]; yAxisID?: string } | undefined
    expect(lr?.data).toEqual([
      { x: 1, y: 0.001 },
      { x: 2, y: 0.0005 }
    ])
    expect(lr?.yAxisID).toBe('lr')
    expect(chart.data.datasets.find((d) => d.label === 'training')).toMatchObject({ yAxisID: 'y' })
    expect((chart.options.scales as Record<string, unknown>).lr).toMatchObject({ position: 'right' })
    w.unmount()
  })
})
