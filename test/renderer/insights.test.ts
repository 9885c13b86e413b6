// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import InsightsView from '../../src/renderer/src/views/InsightsView.vue'
import { useInsightsStore } from '../../src/renderer/src/stores/insights'
import { provideApi } from '../../src/renderer/src/studio'
import type { CompressionMeasure, CompressionReport, PcaBaseline } from '../../src/shared/contract/insights'
import { fakeApi } from './fake-api'
import { run, trainConfig } from './fixtures'

/** A latent-4 run that has finished `epochsDone` of its 2 epochs. */
const trained = (id: number, epochsDone: number) =>
  run({ id, epochsDone, config: trainConfig({ latent: 4, epochs: 2 }) })

const pca = (runId: number, aeMse = 0.01): PcaBaseline => ({
  runId,
  k: 4,
  latent: 4,
  count: 6,
  split: 'val',
  fitCount: 18,
  pcaMse: 0.02,
  aeMse,
  pcaPsnr: 16.99,
  aePsnr: 20,
  explainedVariance: 0.734,
  componentVariance: [0.4, 0.2, 0.1],
  eigenfaces: { dataUrl: `data:image/png;base64,run${runId}`, columns: 2, cell: 64, width: 134, height: 134 },
  checkpoint: { kind: 'best', epoch: 2 }
})

const measure = (bits: number, psnr: number | null): CompressionMeasure => ({
  bits,
  bytes: bits / 8,
  mse: null,
  psnr
})
const compression = (runId: number): CompressionReport => ({
  runId,
  latent: 4,
  count: 6,
  split: 'val',
  size: 16,
  channels: 1,
  pixels: measure(2048, null),
  float32: measure(128, 20),
  quantised8: { ...measure(32, 19.5), rangeBits: 256 },
  source: measure(1600, null),
  jpeg: { ...measure(4800, 20.4), meanQuality: 37.4, missed: 1 },
  checkpoint: { kind: 'best', epoch: 2 }
})

const cells = (w: ReturnType<typeof mount>, row: string) =>
  w.findAll(`tr[data-row=${row}] td`).map((c) => c.text())

describe('Insights view', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('says what to do when no run has finished an epoch, and asks nothing of the engine', async () => {
    const fake = fakeApi({ 'runs.list': () => [trained(1, 0)] })
    provideApi(fake.api)
    const w = mount(InsightsView)
    await flushPromises()
    expect(w.text()).toContain('No trained runs yet')
    expect(fake.calls.map((c) => c.name)).toEqual(['runs.list'])
  })

  it('shows the eigenfaces, PCA beside the autoencoder, and the compression table', async () => {
    const fake = fakeApi({
      'runs.list': () => [trained(3, 2)],
      'insights.pca': (i) => pca(i.runId),
      'insights.compression': (i) => compression(i.runId)
    })
    provideApi(fake.api)
    const w = mount(InsightsView)
    await flushPromises()
    const img = w.find('img.eigenfaces')
    expect(img.attributes('src')).toBe('data:image/png;base64,run3')
    expect(img.attributes('alt')).toBe('Mean face, then the first 3 principal components')
    expect(cells(w, 'pca')).toEqual(['4', '0.0200', '16.99 dB'])
    expect(cells(w, 'ae')).toEqual(['4', '0.0100', '20.00 dB'])
    expect(w.text()).toContain("The autoencoder's error is 50% of PCA's at the same size.")
    expect(w.text()).toContain('4 components hold 73.4% of the training images')
    expect(cells(w, 'pixels')).toEqual(['2,048', '256', 'exact'])
    expect(cells(w, 'source')).toEqual(['1,600', '200', 'original'])
    expect(cells(w, 'float32')).toEqual(['128', '16', '20.00 dB'])
    expect(cells(w, 'quantised8')).toEqual(['32', '4', '19.50 dB'])
    expect(cells(w, 'jpeg')).toEqual(['4,800', '600', '20.40 dB'])
    expect(w.find('tr[data-row=jpeg] th').text()).toContain('quality ≈ 37')
    expect(w.text()).toContain('about 38× the bits of the float32 code')
    expect(w.text()).toContain('For 1 image even JPEG quality 100 fell short')
  })

  it('shows each failure in plain words where it happened, and the other part still', async () => {
    const fake = fakeApi({
      'runs.list': () => [trained(3, 2)],
      'insights.pca': () => {
        throw Object.assign(new Error('PCA on 1 training images has 0 components at most.'), {
          code: 'failed'
        })
      },
      'insights.compression': (i) => compression(i.runId)
    })
    provideApi(fake.api)
    const w = mount(InsightsView)
    await flushPromises()
    expect(w.find('[role=alert]').text()).toContain('PCA on 1 training images has 0 components at most.')
    expect(w.find('img.eigenfaces').exists()).toBe(false)
    expect(cells(w, 'float32')[0]).toBe('128')
  })

  it('switching runs drops a slower answer for the run no longer picked', async () => {
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    const fake = fakeApi({
      'insights.pca': async (i) => {
        if (i.runId === 1) await held
        return pca(i.runId, i.runId === 1 ? 0.5 : 0.01)
      },
      'insights.compression': (i) => compression(i.runId)
    })
    provideApi(fake.api)
    const s = useInsightsStore()
    const first = s.load(1)
    await s.load(2)
    release()
    await first
    expect(s.runId).toBe(2)
    expect(s.pca?.runId).toBe(2)
    expect(s.compression?.runId).toBe(2)
  })
})
