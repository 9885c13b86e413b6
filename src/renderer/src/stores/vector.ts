import { defineStore } from 'pinia'
import { computed, reactive, ref } from 'vue'
import type { AttributeVector, VectorExportResult } from '../../../shared/contract/vector'
import { api, errorText } from '../studio'
import type { Keyframe } from './morph'
import { LatestOnly } from './latest-only'

/** Which pick a click on a dataset image makes. */
export type VectorRole = 'with' | 'without' | 'target'

export const useVectorStore = defineStore('vector', () => {
  const runId = ref<number | null>(null)
  const withImages = ref<Keyframe[]>([])
  const withoutImages = ref<Keyframe[]>([])
  const target = ref<Keyframe | null>(null)
  const role = ref<VectorRole>('with')
  const strength = ref(0)
  const options = reactive({ maxStrength: 1, frames: 12, size: 256, delay: 80 })
  const vector = ref<AttributeVector | null>(null)
  const frame = ref<string | null>(null)
  const frameMs = ref<number | null>(null)
  const error = ref<string | null>(null)
  const exporting = ref(false)
  const exported = ref<VectorExportResult | null>(null)
  const exportError = ref<string | null>(null)

  const sets = () => ({
    runId: runId.value!,
    withImages: withImages.value.map((k) => k.source),
    withoutImages: withoutImages.value.map((k) => k.source)
  })
  const hasSets = computed(
    () => runId.value !== null && withImages.value.length > 0 && withoutImages.value.length > 0
  )
  const ready = computed(() => hasSets.value && target.value !== null)

  const decoder = new LatestOnly<number, { url: string; ms: number }>(
    async (s) => {
      const started = performance.now()
      const r = await api().invoke('vector.frame', { ...sets(), target: target.value!.source, strength: s })
      return { url: r.dataUrl, ms: performance.now() - started }
    },
    ({ url, ms }) => {
      frame.value = url
      frameMs.value = ms
      error.value = null
    },
    (err) => (error.value = errorText(err))
  )

  /** Recomputes the vector (its size and length are shown) after the sets change. */
  async function compute() {
    vector.value = null
    if (!hasSets.value) return
    try {
      vector.value = await api().invoke('vector.compute', sets())
      error.value = null
    } catch (err) {
      error.value = errorText(err)
    }
  }

  /** Moves the strength slider; only the latest position is decoded. */
  function setStrength(s: number) {
    strength.value = s
    if (ready.value) decoder.request(s)
  }

  function changed() {
    exported.value = null
    void compute()
    setStrength(strength.value)
  }

  /** Adds an image in the current role (the target is replaced); an image is in one set at a time. */
  function pick(k: Keyframe, as: VectorRole = role.value) {
    if (as === 'target') target.value = k
    else {
      const other = as === 'with' ? withoutImages : withImages
      other.value = other.value.filter((x) => x.source !== k.source)
      const list = as === 'with' ? withImages : withoutImages
      if (!list.value.some((x) => x.source === k.source)) list.value = [...list.value, k]
    }
    changed()
  }

  /** Replaces both sets at once (picked by expression on a face dataset); the target stays. */
  function setSets(withSet: Keyframe[], withoutSet: Keyframe[]) {
    withImages.value = [...withSet]
    withoutImages.value = withoutSet.filter((k) => !withSet.some((w) => w.source === k.source))
    changed()
  }

  function remove(as: 'with' | 'without', index: number) {
    const list = as === 'with' ? withImages : withoutImages
    list.value = list.value.filter((_, i) => i !== index)
    if (!ready.value) frame.value = null
    changed()
  }

  function setRun(id: number | null) {
    if (id === runId.value) return
    runId.value = id
    vector.value = null
    frame.value = null
    exported.value = null
    // Dataset images (ids) belong to the old run's dataset; files by path still make sense.
    withImages.value = withImages.value.filter((k) => typeof k.source === 'string')
    withoutImages.value = withoutImages.value.filter((k) => typeof k.source === 'string')
    if (typeof target.value?.source === 'number') target.value = null
    changed()
  }

  async function exportGif(out: string) {
    if (!ready.value) {
      exportError.value = 'Pick images with and without the trait and an image to change first.'
      return
    }
    exportError.value = null
    exported.value = null
    exporting.value = true
    try {
      exported.value = await api().invoke('vector.export', {
        ...sets(),
        target: target.value!.source,
        strength: options.maxStrength,
        frames: options.frames,
        size: options.size,
        delay: options.delay,
        out
      })
    } catch (err) {
      exportError.value = errorText(err)
    } finally {
      exporting.value = false
    }
  }

  return {
    runId,
    withImages,
    withoutImages,
    target,
    role,
    strength,
    options,
    vector,
    frame,
    frameMs,
    error,
    exporting,
    exported,
    exportError,
    hasSets,
    ready,
    pick,
    setSets,
    remove,
    setRun,
    setStrength,
    exportGif
  }
})
