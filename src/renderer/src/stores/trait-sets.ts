import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Expression } from '../../../shared/contract/domain'
import type { DatasetImage } from '../../../shared/contract/datasets'
import { TRAIT_DEFAULTS, type TraitSets } from '../../../shared/contract/vector'
import { api, errorText } from '../studio'

/**
 * Picking vector-arithmetic sets by expression on a face dataset: the import's scores split the images into
 * "with" (score ≥ threshold) and "without" (score < below, by default the threshold); the user leaves out any
 * the scores got wrong before the sets are used.
 */
export const useTraitSetsStore = defineStore('traitSets', () => {
  const datasetId = ref<number | null>(null)
  const trait = ref<Expression>('happy')
  const threshold = ref<number>(TRAIT_DEFAULTS.threshold)
  /** Null: the same as the threshold. */
  const below = ref<number | null>(null)
  const sets = ref<TraitSets | null>(null)
  /** Images the user took out of a set. */
  const leftOut = ref(new Set<number>())
  const loading = ref(false)
  const error = ref<string | null>(null)
  let asked = 0

  /** The sets as corrected: what "Use these sets" hands the vector view. */
  const chosen = computed(() => ({
    with: sets.value?.with.filter((i) => !leftOut.value.has(i.id)) ?? [],
    without: sets.value?.without.filter((i) => !leftOut.value.has(i.id)) ?? []
  }))

  /** Splits the dataset by the current trait and thresholds; only the latest ask is shown. */
  async function find() {
    if (datasetId.value === null) return
    const mine = ++asked
    loading.value = true
    error.value = null
    try {
      const result = await api().invoke('vector.traitSets', {
        datasetId: datasetId.value,
        trait: trait.value,
        threshold: threshold.value,
        ...(below.value === null ? {} : { below: below.value })
      })
      if (mine !== asked) return
      sets.value = result
      leftOut.value = new Set()
    } catch (err) {
      if (mine === asked) error.value = errorText(err)
    } finally {
      if (mine === asked) loading.value = false
    }
  }

  function setDataset(id: number | null) {
    if (id === datasetId.value) return
    datasetId.value = id
    sets.value = null
    leftOut.value = new Set()
    asked++
    loading.value = false
    if (id !== null) void find()
  }

  /** Takes an image out of its set, or puts it back. */
  function toggle(image: DatasetImage) {
    const next = new Set(leftOut.value)
    if (!next.delete(image.id)) next.add(image.id)
    leftOut.value = next
  }

  return {
    datasetId,
    trait,
    threshold,
    below,
    sets,
    leftOut,
    loading,
    error,
    chosen,
    find,
    setDataset,
    toggle
  }
})
