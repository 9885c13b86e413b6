import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { CompressionReport, PcaBaseline } from '../../../shared/contract/insights'
import { api, errorText } from '../studio'

/**
 * The Insights tab's numbers for one run: the PCA baseline and the compression table, fetched together when a
 * run is picked. A slower answer for a run no longer picked is dropped, so the screen never mixes two runs.
 */
export const useInsightsStore = defineStore('insights', () => {
  const runId = ref<number | null>(null)
  const pca = ref<PcaBaseline | null>(null)
  const compression = ref<CompressionReport | null>(null)
  const pcaError = ref<string | null>(null)
  const compressionError = ref<string | null>(null)
  const loadingPca = ref(false)
  const loadingCompression = ref(false)
  let seq = 0

  async function fetchPart<T>(
    id: number,
    ask: () => Promise<T>,
    done: (value: T) => void,
    fail: (message: string) => void
  ) {
    const mine = seq
    try {
      const value = await ask()
      if (mine === seq && runId.value === id) done(value)
    } catch (err) {
      if (mine === seq && runId.value === id) fail(errorText(err))
    }
  }

  /** Measures run `id` (again, when it is already shown: a run still training has newer weights). */
  async function load(id: number | null) {
    seq++
    runId.value = id
    pca.value = null
    compression.value = null
    pcaError.value = null
    compressionError.value = null
    if (id === null) return
    loadingPca.value = loadingCompression.value = true
    await Promise.all([
      fetchPart(
        id,
        () => api().invoke('insights.pca', { runId: id }),
        (v) => (pca.value = v),
        (m) => (pcaError.value = m)
      ).finally(() => (loadingPca.value = false)),
      fetchPart(
        id,
        () => api().invoke('insights.compression', { runId: id }),
        (v) => (compression.value = v),
        (m) => (compressionError.value = m)
      ).finally(() => (loadingCompression.value = false))
    ])
  }

  return { runId, pca, compression, pcaError, compressionError, loadingPca, loadingCompression, load }
})
