import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Sweep, SweepExportResult, SweepProgress } from '../../../shared/contract/sweep'
import type { TrainingEpoch } from '../../../shared/contract/training'
import { api, errorText } from '../studio'

/** "2, 4, 8" → [2, 4, 8]; null when any part is not a whole number. */
export function parseLatentList(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter((p) => p !== '')
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) return null
  return parts.map(Number)
}

export const useSweepStore = defineStore('sweep', () => {
  const list = ref<Sweep[]>([])
  const current = ref<Sweep | null>(null)
  /** The epoch the current sweep's running run is on, for the progress line. */
  const epoch = ref<{ runId: number; epoch: number; epochs: number } | null>(null)
  const grid = ref<string | null>(null)
  const gridRows = ref<string[]>([])
  const error = ref<string | null>(null)
  const exporting = ref(false)
  const exported = ref<SweepExportResult | null>(null)
  const exportError = ref<string | null>(null)
  let off: (() => void)[] = []

  const running = computed(() => current.value?.status === 'running')
  /** Error against latent size, in latent order, for the chart. */
  const points = computed(() =>
    (current.value?.results ?? []).map((r) => ({ x: r.latent, y: r.valMse })).sort((a, b) => a.x - b.x)
  )

  /** Follows sweep.progress (runs starting and ending) and the running run's training.epoch events. */
  function listen() {
    if (off.length) return
    off = [
      api().on('sweep.progress', (p: SweepProgress) => {
        // The "earlier sweeps" list shows every sweep's status, not only the open one's.
        if (list.value.some((s) => s.id === p.sweep.id))
          list.value = list.value.map((s) => (s.id === p.sweep.id ? p.sweep : s))
        else list.value = [p.sweep, ...list.value]
        if (current.value && p.sweepId !== current.value.id) return
        const before = current.value?.results.length ?? 0
        current.value = p.sweep
        if (p.sweep.results.length !== before) void loadGrid()
      }),
      api().on('training.epoch', (e: TrainingEpoch) => {
        epoch.value = { runId: e.runId, epoch: e.epoch, epochs: e.epochs }
      })
    ]
  }

  async function load() {
    try {
      list.value = await api().invoke('sweep.list', undefined)
      error.value = null
    } catch (err) {
      error.value = errorText(err)
    }
  }

  async function open(sweepId: number) {
    listen()
    try {
      current.value = await api().invoke('sweep.get', { sweepId })
      exported.value = null
      grid.value = null
      await loadGrid()
    } catch (err) {
      error.value = errorText(err)
    }
  }

  async function start(datasetId: number, config: Record<string, unknown>, latents: number[]) {
    listen()
    error.value = null
    grid.value = null
    exported.value = null
    try {
      current.value = await api().invoke('sweep.start', {
        datasetId,
        config: config as never,
        latents
      })
      await load()
    } catch (err) {
      error.value = errorText(err)
    }
  }

  async function stop() {
    if (!current.value) return
    try {
      await api().invoke('sweep.stop', { sweepId: current.value.id })
    } catch (err) {
      error.value = errorText(err)
    }
  }

  async function loadGrid() {
    if (!current.value || current.value.results.length === 0) return
    try {
      const g = await api().invoke('sweep.grid', { sweepId: current.value.id })
      grid.value = g.dataUrl ?? null
      gridRows.value = g.rows
    } catch (err) {
      error.value = errorText(err)
    }
  }

  async function exportGif(out: string) {
    if (!current.value || current.value.results.length === 0) {
      exportError.value = 'Wait for at least one latent size to finish.'
      return
    }
    exportError.value = null
    exporting.value = true
    try {
      exported.value = await api().invoke('sweep.export', { sweepId: current.value.id, out })
    } catch (err) {
      exportError.value = errorText(err)
    } finally {
      exporting.value = false
    }
  }

  return {
    list,
    current,
    epoch,
    grid,
    gridRows,
    error,
    exporting,
    exported,
    exportError,
    running,
    points,
    load,
    open,
    start,
    stop,
    loadGrid,
    exportGif
  }
})
