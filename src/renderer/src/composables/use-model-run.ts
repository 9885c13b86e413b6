import { computed, onActivated, onMounted, watch } from 'vue'
import type { Run } from '../../../shared/contract/domain'
import { useDatasetsStore } from '../stores/datasets'
import { useRunsStore } from '../stores/runs'

/**
 * The run whose model a screen works with, among the runs that can serve it: trained for at least one epoch (so
 * there is a checkpoint) and, where given, accepted by `accepts`. The first such run is chosen until there is a
 * choice, and the chosen run's dataset is opened so the dataset picker offers the images it was trained on.
 */
export function useModelRun(opts: {
  /** The id of the run the screen's store holds. */
  current: () => number | null
  /** Hands the store a run (or none). */
  choose: (run: Run | null) => void
  accepts?: (run: Run) => boolean
}) {
  const runs = useRunsStore()
  const datasets = useDatasetsStore()
  const usable = computed(() => runs.list.filter((r) => r.epochsDone > 0 && (opts.accepts?.(r) ?? true)))
  const run = computed(() => usable.value.find((r) => r.id === opts.current()) ?? null)
  /** For a RunPicker's v-model. */
  const pickedRun = computed({
    get: opts.current,
    set: (id: number | null) => opts.choose(usable.value.find((r) => r.id === id) ?? null)
  })

  async function refresh() {
    await runs.load()
    if (opts.current() === null && usable.value.length > 0) opts.choose(usable.value[0])
  }
  onMounted(refresh)
  onActivated(refresh)

  watch(
    run,
    async (r) => {
      if (r?.datasetId && datasets.currentId !== r.datasetId) {
        if (datasets.list.length === 0) await datasets.load()
        await datasets.select(r.datasetId)
      }
    },
    { immediate: true }
  )

  return { usable, run, pickedRun }
}
