import { vi } from 'vitest'

// happy-dom has no canvas: tests replace chart.js with this module (vi.mock('chart.js', () => import(...))).
// Each Chart records the config it was built with; `createdCharts` lists them in order.

export interface StubChartConfig {
  data: { datasets: { label?: string; data: unknown[] }[] }
  options?: Record<string, unknown>
}

export const createdCharts: StubChart[] = []

export class StubChart {
  static register = vi.fn()
  data: StubChartConfig['data']
  options: Record<string, unknown>
  update = vi.fn()
  destroy = vi.fn()
  constructor(_canvas: unknown, config: StubChartConfig) {
    this.data = config.data
    this.options = config.options ?? {}
    createdCharts.push(this)
  }
}

const none = {}
export const chartModule = {
  Chart: StubChart,
  Decimation: none,
  Legend: none,
  LinearScale: none,
  LineController: none,
  LineElement: none,
  PointElement: none,
  Tooltip: none
}
