// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick, reactive } from 'vue'

vi.mock('chart.js', async () => (await import('./chart-stub')).chartModule)

import LossChart from '../../src/renderer/src/components/LossChart.vue'
import { appendMetrics, emptyBuffers, seriesOf } from '../../src/renderer/src/stores/loss-series'
import type { EpochMetrics } from '../../src/shared/contract/domain'
import { createdCharts } from './chart-stub'
import { epochMetrics } from './fixtures'

const metric = (epoch: number, extra: Pick<Partial<EpochMetrics>, 'kl' | 'recon'> = {}) =>
  epochMetrics({ epoch, loss: 1 / epoch, valLoss: 1.1 / epoch, ...extra })

describe('LossChart', () => {
  beforeEach(() => (createdCharts.length = 0))

  it('creates the chart once and draws new points with update("none"), never re-creating it', async () => {
    const buffers = emptyBuffers()
    const props = reactive({ series: seriesOf(buffers), revision: 0, label: 'loss' })
    const w = mount(LossChart, { props })
    expect(createdCharts).toHaveLength(1)
    const chart = createdCharts[0]
    expect(chart.options).toMatchObject({ animation: false, parsing: false })
    expect(chart.options.plugins).toMatchObject({ decimation: { enabled: true } })

    for (let e = 1; e <= 3000; e++) appendMetrics(buffers, metric(e))
    await w.setProps({ revision: 1 })
    await nextTick()
    expect(createdCharts).toHaveLength(1)
    expect(chart.update).toHaveBeenCalledWith('none')
    expect(chart.data.datasets[0].data).toHaveLength(3000)
    expect(chart.data.datasets[1].data.at(-1)).toEqual({ x: 3000, y: 1.1 / 3000 })

    // The chart keeps its own copy: one more epoch appends one point to the same array object.
    const before = chart.data.datasets[0].data
    appendMetrics(buffers, metric(3001))
    await w.setProps({ revision: 2 })
    expect(chart.data.datasets[0].data).toBe(before)
    expect(before).toHaveLength(3001)
    expect(createdCharts).toHaveLength(1)
    w.unmount()
    expect(chart.destroy).toHaveBeenCalled()
  })

  it('adds reconstruction and KL lines for VAEs, in place', async () => {
    const buffers = emptyBuffers()
    const w = mount(LossChart, { props: { series: seriesOf(buffers), revision: 0, label: 'loss' } })
    appendMetrics(buffers, metric(1, { kl: 0.2, recon: 0.5 }))
    await w.setProps({ series: seriesOf(buffers), revision: 1 })
    const chart = createdCharts[0]
    expect(createdCharts).toHaveLength(1)
    expect(chart.data.datasets.map((d) => d.label)).toEqual([
      'training',
      'validation',
      'reconstruction',
      'KL',
      'learning rate'
    ])
    expect(chart.data.datasets[3].data).toEqual([{ x: 1, y: 0.2 }])
  })
})

describe('loss series', () => {
  it('gives the learning rate a line on its own axis, only for epochs that report one', () => {
    const b = emptyBuffers()
    appendMetrics(b, metric(1))
    appendMetrics(b, epochMetrics({ epoch: 2, lr: null }))
    expect(b.lr).toEqual([{ x: 1, y: 0.001 }])
    expect(seriesOf(b).at(-1)).toMatchObject({ label: 'learning rate', axis: 'lr' })
    // Runs from before schedules carry no rates: no line, and so no second axis.
    const old = emptyBuffers()
    appendMetrics(old, epochMetrics({ lr: null }))
    expect(seriesOf(old).map((s) => s.label)).toEqual(['training', 'validation'])
  })

  it('ignores a repeated or older epoch so points stay sorted', () => {
    const b = emptyBuffers()
    appendMetrics(b, metric(1))
    appendMetrics(b, metric(2))
    appendMetrics(b, metric(2))
    appendMetrics(b, metric(1))
    expect(b.train.map((p) => p.x)).toEqual([1, 2])
  })
})
