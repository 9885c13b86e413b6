import { defineStore } from 'pinia'
import { computed, reactive, ref } from 'vue'
import { errorText, invokeUntyped, onUntyped } from '../studio'
import { LatestOnly } from './latest-only'

/** A keyframe: an image of the run's dataset, or any image file (dropped or picked). */
export type KeyframeSource = { imageId: number } | { path: string }
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
export interface MapPoint {
  x: number
  y: number
  imageId: number
  thumb: string
}
export interface ExportDone {
  file: string
  frames: number
}

/** A decoded frame comes back as a data URL or PNG bytes in base64; either way the page shows it as a data URL. */
export function frameUrl(result: { dataUrl?: string; png?: string } | string): string {
  if (typeof result === 'string') return result
  if (result.dataUrl) return result.dataUrl
  return `data:image/png;base64,${result.png ?? ''}`
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
  const exported = ref<ExportDone | null>(null)
  const exportError = ref<string | null>(null)
  const map = ref<MapPoint[]>([])
  const mapError = ref<string | null>(null)
  const samples = ref<string[]>([])
  const samplesError = ref<string | null>(null)
  const ready = computed(() => runId.value !== null && keyframes.value.length >= 2)
  let offProgress: (() => void) | null = null

  const decoder = new LatestOnly<number, { url: string; ms: number }>(
    async (at) => {
      const started = performance.now()
      const result = await invokeUntyped<{ dataUrl?: string; png?: string } | string>('morph.frame', {
        runId: runId.value,
        keyframes: keyframes.value.map((k) => k.source),
        t: at,
        interp: options.interp
      })
      return { url: frameUrl(result), ms: performance.now() - started }
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
    map.value = []
    samples.value = []
    exported.value = null
    // Dataset keyframes belong to the old run's dataset; dropped files still make sense.
    keyframes.value = keyframes.value.filter((k) => 'path' in k.source)
  }

  /** Writes the GIF: `out` is the path from the save dialog (desktop); web mode lets the server pick one. */
  async function exportGif(out: string | null) {
    if (!ready.value) {
      exportError.value = 'Pick a run and at least two keyframes first.'
      return
    }
    exportError.value = null
    exported.value = null
    exporting.value = true
    exportProgress.value = { done: 0, total: options.frames }
    offProgress ??= onUntyped<{ done: number; total: number }>('morph.progress', (p) => {
      if (exporting.value) exportProgress.value = p
    })
    try {
      exported.value = await invokeUntyped<ExportDone>('morph.export', {
        runId: runId.value,
        keyframes: keyframes.value.map((k) => k.source),
        ...options,
        loop: 0,
        ...(out ? { out } : {})
      })
    } catch (err) {
      exportError.value = errorText(err)
    } finally {
      exporting.value = false
    }
  }

  async function loadMap() {
    mapError.value = null
    try {
      map.value = (await invokeUntyped<{ points: MapPoint[] }>('latent.map', { runId: runId.value })).points
    } catch (err) {
      mapError.value = errorText(err)
    }
  }

  async function randomSamples(count = 16) {
    samplesError.value = null
    try {
      const res = await invokeUntyped<{ images: string[] }>('samples.random', {
        runId: runId.value,
        count,
        seed: Math.floor(Math.random() * 2 ** 31)
      })
      samples.value = res.images.map((img) => frameUrl(img))
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
