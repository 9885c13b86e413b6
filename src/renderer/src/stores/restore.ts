import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Run } from '../../../shared/contract/domain'
import type { RestoredImage } from '../../../shared/contract/restore'
import { api, errorText } from '../studio'
import type { Keyframe } from './morph'

/** What a run can restore: colorize runs colourise, denoising runs clean; other kinds cannot be used here. */
export const restoreKindOf = (model: Run['model']): 'colorize' | 'clean' | null =>
  model === 'colorize' ? 'colorize' : model === 'denoising' ? 'clean' : null

export const useRestoreStore = defineStore('restore', () => {
  const run = ref<Pick<Run, 'id' | 'model'> | null>(null)
  const images = ref<Keyframe[]>([])
  const results = ref<RestoredImage[]>([])
  const busy = ref(false)
  const error = ref<string | null>(null)
  /** Answers to older requests are dropped, so a slow reply never overwrites a newer one. */
  let seq = 0

  const kind = computed(() => (run.value ? restoreKindOf(run.value.model) : null))
  const ready = computed(() => kind.value !== null && images.value.length > 0)

  function setRun(next: Pick<Run, 'id' | 'model'> | null) {
    if (next?.id === run.value?.id) return
    run.value = next
    results.value = []
    error.value = null
    seq++
    // Dataset images (ids) belong to the old run's dataset; files by path still make sense.
    images.value = images.value.filter((k) => typeof k.source === 'string')
  }

  function add(k: Keyframe) {
    if (!images.value.some((x) => x.source === k.source)) images.value = [...images.value, k]
  }

  function remove(index: number) {
    images.value = images.value.filter((_, i) => i !== index)
  }

  function clear() {
    images.value = []
    results.value = []
  }

  /** Colourises or cleans every picked image with the run's model; results come back as data URLs. */
  async function restore() {
    if (!run.value || !kind.value) {
      error.value = 'Pick a colorize run (to colourise) or a denoising run (to clean) first.'
      return
    }
    if (images.value.length === 0) {
      error.value = 'Add at least one image: pick one from the dataset, drop files, or type a path.'
      return
    }
    const mine = ++seq
    busy.value = true
    error.value = null
    try {
      const r = await api().invoke(kind.value === 'colorize' ? 'restore.colorize' : 'restore.clean', {
        runId: run.value.id,
        images: images.value.map((k) => k.source)
      })
      if (mine === seq) results.value = r.images
    } catch (err) {
      if (mine === seq) error.value = errorText(err)
    } finally {
      if (mine === seq) busy.value = false
    }
  }

  return { run, images, results, busy, error, kind, ready, setRun, add, remove, clear, restore }
})
