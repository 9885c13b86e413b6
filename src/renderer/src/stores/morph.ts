import { defineStore } from 'pinia'
import { computed, reactive, ref } from 'vue'
import type { ExportProgress, LatentPoint, MorphExportResult } from '../../../shared/contract/viewers'
import { api, errorText } from '../studio'
import { LatestOnly } from './latest-only'

/** A keyframe: an image of the run's dataset by id, or any image file by path. */
export type KeyframeSource = number | string
export interface Keyframe {
  source: KeyframeSource
  label: string
  /** What to show for it in the keyframe strip. */
  url: string | null
}
export interface MorphOptions {
  interp: 'lerp' | 'slerp'
  frames: number
  delay: number
  size: number
  pingpong: boolean
}

export const useMorphStore = defineStore('morph', () => {
  const runId = ref<number | null>(null)
  const keyframes = ref<Keyframe[]>([])
  const options = reactive<MorphOptions>({
    interp: 'slerp',
    frames: 24,
    delay: 80,
    size: 256,
    pingpong: true
  })
  const t = ref(0)
  const frame = ref<string | null>(null)
  /** Milliseconds the last decode took, shown so "live" is a measured claim. */
  const frameMs = ref<number | null>(null)
  const frameError = ref<string | null>(null)
  const exporting = ref(false)
  const exportProgress = ref<{ done: number; total: number } | null>(null)
  const exported = ref<MorphExportResult | null>(null)
  const exportError = ref<string | null>(null)
  const map = ref<LatentPoint[]>([])
  const mapError = ref<string | null>(null)
  /** One grid image of random samples (a data URL). */
  const samples = ref<string | null>(null)
  const samplesError = ref<string | null>(null)
  const ready = computed(() => runId.value !== null && keyframes.value.length >= 2)
  let offProgress: (() => void) | null = null

  const decoder = new LatestOnly<number, { url: string; ms: number }>(
    async (at) => {
      if (runId.value === null) throw new Error('Pick a run first.')
      const started = performance.now()
      const result = await api().invoke('morph.frame', {
        runId: runId.value,
        keyframes: keyframes.value.map((k) => k.source),
        t: at,
        interp: options.interp
      })
      return { url: result.dataUrl, ms: performance.now() - started }
    },
    ({ url, ms }) => {
      frame.value = url
      frameMs.value = ms
      frameError.value = null
    },
    (err) => (frameError.value = errorText(err))
  )

  /** Moves the slider; decoding runs for the latest position only, never piling up. */
  function seek(at: number) {
    t.value = Math.min(1, Math.max(0, at))
    if (ready.value) decoder.request(t.value)
  }

  function addKeyframe(k: Keyframe) {
    keyframes.value = [...keyframes.value, k]
    seek(t.value)
  }
  function removeKeyframe(index: number) {
    keyframes.value = keyframes.value.filter((_, i) => i !== index)
    if (keyframes.value.length < 2) frame.value = null
    else seek(t.value)
  }
  function moveKeyframe(index: number, by: -1 | 1) {
    const j = index + by
    if (j < 0 || j >= keyframes.value.length) return
    const next = [...keyframes.value]
    ;[next[index], next[j]] = [next[j], next[index]]
    keyframes.value = next
    seek(t.value)
  }

  function setRun(id: number | null) {
    if (id === runId.value) return
    runId.value = id
    frame.value = null
    frameMs.value = null
    map.value = []
    samples.value = null
    exported.value = null
    // Dataset keyframes (ids) belong to the old run's dataset; image files by path still make sense.
    keyframes.value = keyframes.value.filter((k) => typeof k.source === 'string')
  }

  /** Writes the GIF to `out`: the save dialog's path (desktop), or a file in the data directory (web). */
  async function exportGif(out: string) {
    const id = runId.value
    if (!ready.value || id === null) {
      exportError.value = 'Pick a run and at least two keyframes first.'
      return
    }
    exportError.value = null
    exported.value = null
    exporting.value = true
    exportProgress.value = { done: 0, total: options.frames }
    offProgress ??= api().on('exports.progress', (p: ExportProgress) => {
      if (exporting.value && p.kind === 'morph' && p.runId === runId.value) exportProgress.value = p
    })
    try {
      exported.value = await api().invoke('morph.export', {
        runId: id,
        keyframes: keyframes.value.map((k) => k.source),
        ...options,
        loop: 0,
        out
      })
    } catch (err) {
      exportError.value = errorText(err)
    } finally {
      exporting.value = false
    }
  }

  async function loadMap() {
    mapError.value = null
    if (runId.value === null) return
    try {
      map.value = (await api().invoke('latent.map', { runId: runId.value })).points
    } catch (err) {
      mapError.value = errorText(err)
    }
  }

  async function randomSamples(count = 16) {
    samplesError.value = null
    if (runId.value === null) return
    try {
      const res = await api().invoke('samples.random', {
        runId: runId.value,
        count,
        seed: Math.floor(Math.random() * 2 ** 31)
      })
      samples.value = res.dataUrl ?? null
    } catch (err) {
      samplesError.value = errorText(err)
    }
  }

  return {
    runId,
    keyframes,
    options,
    t,
    frame,
    frameMs,
    frameError,
    exporting,
    exportProgress,
    exported,
    exportError,
    map,
    mapError,
    samples,
    samplesError,
    ready,
    seek,
    addKeyframe,
    removeKeyframe,
    moveKeyframe,
    setRun,
    exportGif,
    loadMap,
    randomSamples
  }
})
