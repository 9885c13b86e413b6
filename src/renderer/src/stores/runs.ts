import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import type { EpochMetrics, Run } from '../../../shared/contract/domain'
import type { LossSeries } from '../components/chart-types'
import { api, errorText } from '../studio'

const COLOURS = ['--chart-1', '--chart-2', '--chart-3', '--chart-4']

/** Every run, and the loss curves of the ones picked for comparison. */
export const useRunsStore = defineStore('runs', () => {
  const list = ref<Run[]>([])
  const error = ref<string | null>(null)
  const loading = ref(false)
  const selected = ref<number[]>([])
  const metrics = shallowRef(markRaw(new Map<number, EpochMetrics[]>()))
  const revision = ref(0)
  /** Per-run errors (delete, reveal, resume), shown on that run's row. */
  const rowErrors = ref<Record<number, string>>({})

  async function load() {
    loading.value = true
    error.value = null
    try {
      list.value = await api().invoke('runs.list', undefined)
      selected.value = selected.value.filter((id) => list.value.some((r) => r.id === id))
    } catch (err) {
      error.value = errorText(err)
    } finally {
      loading.value = false
    }
  }

  async function toggleCompare(id: number) {
    if (selected.value.includes(id)) {
      selected.value = selected.value.filter((x) => x !== id)
      revision.value++
      return
    }
    selected.value = [...selected.value, id]
    if (!metrics.value.has(id)) {
      try {
        metrics.value.set(id, await api().invoke('runs.metrics', { runId: id }))
      } catch (err) {
        rowErrors.value = { ...rowErrors.value, [id]: errorText(err) }
      }
    }
    revision.value++
  }

  /** Validation loss (training loss where a run has none) of each compared run, one line each. */
  const compareSeries = computed<LossSeries[]>(() => {
    void revision.value
    return selected.value.map((id, i) => {
      const rows = metrics.value.get(id) ?? []
      const hasVal = rows.some((m) => m.valLoss != null)
      return {
        label: `run #${id} ${hasVal ? 'validation' : 'training'}`,
        points: rows.map((m) => ({ x: m.epoch, y: (hasVal ? m.valLoss : m.loss) ?? NaN })),
        color: COLOURS[i % COLOURS.length]
      }
    })
  })

  async function rowCall(id: number, fn: () => Promise<unknown>) {
    const { [id]: _, ...rest } = rowErrors.value
    rowErrors.value = rest
    try {
      await fn()
    } catch (err) {
      rowErrors.value = { ...rowErrors.value, [id]: errorText(err) }
    }
  }

  /** Deletes the run with its checkpoints, previews and exports recorded under the data directory. */
  const remove = (id: number) =>
    rowCall(id, async () => {
      await api().invoke('runs.delete', { runId: id })
      selected.value = selected.value.filter((x) => x !== id)
      metrics.value.delete(id)
      await load()
    })

  /** Opens `<data directory>/runs/<id>` in the file manager (desktop only; web mode says so). */
  const reveal = (id: number, dataDir: string) =>
    rowCall(id, async () => {
      const sep = dataDir.includes('\\') && !dataDir.includes('/') ? '\\' : '/'
      await api().invoke('shell.showItem', { path: [dataDir, 'runs', String(id)].join(sep) })
    })

  return {
    list,
    error,
    loading,
    selected,
    metrics,
    revision,
    rowErrors,
    compareSeries,
    load,
    toggleCompare,
    remove,
    reveal,
    rowCall
  }
})
