import { defineStore } from 'pinia'
import { computed, ref, shallowReactive } from 'vue'
import type { Dataset, FacesPerImage, Fit } from '../../../shared/contract/domain'
import type {
  DatasetImage,
  ImportOptions,
  ImportProgress,
  ImportResult,
  SkippedFile,
  SourcePhoto
} from '../../../shared/contract/datasets'
import { api, errorText } from '../studio'

export type { DatasetImage, ImportProgress, ImportResult, SkippedFile, SourcePhoto }

/** What the import form sets; the folder comes from the drop, the dialog or the path field. */
export interface ImportForm {
  name?: string
  size: number
  channels: 1 | 3
  fit: Fit
  /** Face imports (fit 'faces'): one image per photo or one per face, and how much around each face. */
  facesPerImage?: FacesPerImage
  faceMargin?: number
  valFraction: number
}

/** The call's options for a form: the face settings only go with a face import (the call refuses them else). */
export function importOptions(paths: string[], form: ImportForm): ImportOptions {
  const { facesPerImage, faceMargin, ...rest } = form
  return { paths, ...rest, ...(form.fit === 'faces' ? { facesPerImage, faceMargin } : {}) }
}

const PAGE = 300

export const useDatasetsStore = defineStore('datasets', () => {
  const list = ref<Dataset[]>([])
  const currentId = ref<number | null>(null)
  const current = computed(() => list.value.find((d) => d.id === currentId.value) ?? null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  const importing = ref(false)
  const progress = ref<ImportProgress | null>(null)
  const lastImport = ref<ImportResult | null>(null)
  /** Files the current dataset's folder had that were not imported, and why. */
  const skipped = ref<SkippedFile[]>([])
  const importError = ref<string | null>(null)
  /** The photo a face image was cut from, with its faces' boxes, and which face is highlighted. */
  const source = ref<SourcePhoto | null>(null)
  const sourceImageId = ref<number | null>(null)
  const sourceError = ref<string | null>(null)
  let sourceAsked = 0
  /** Images of the current dataset by grid index, fetched a page at a time as the grid scrolls to them. */
  const images = shallowReactive(new Map<number, DatasetImage>())
  const imageTotal = ref(0)
  const pagesAsked = new Set<number>()
  let offProgress: (() => void) | null = null

  async function load() {
    loading.value = true
    error.value = null
    try {
      list.value = await api().invoke('datasets.list', undefined)
      if (currentId.value === null && list.value.length > 0) await select(list.value[0].id)
    } catch (err) {
      error.value = errorText(err)
    } finally {
      loading.value = false
    }
  }

  async function select(id: number) {
    currentId.value = id
    closeSource()
    images.clear()
    pagesAsked.clear()
    imageTotal.value = list.value.find((d) => d.id === id)?.imageCount ?? 0
    await Promise.all([ensurePage(0), loadSkipped(id)])
  }

  async function loadSkipped(id: number) {
    try {
      const files = await api().invoke('datasets.skipped', { datasetId: id })
      if (currentId.value === id) skipped.value = files
    } catch (err) {
      error.value = errorText(err)
    }
  }

  /** Fetches the page holding grid index `index` unless it is already here or on its way. */
  async function ensurePage(page: number) {
    const id = currentId.value
    if (id === null || pagesAsked.has(page)) return
    pagesAsked.add(page)
    try {
      const res = await api().invoke('datasets.images', {
        datasetId: id,
        offset: page * PAGE,
        limit: PAGE
      })
      if (currentId.value !== id) return
      imageTotal.value = res.total
      res.items.forEach((img, k) => images.set(page * PAGE + k, img))
    } catch (err) {
      pagesAsked.delete(page)
      error.value = errorText(err)
    }
  }

  function imageAt(index: number): DatasetImage | undefined {
    const img = images.get(index)
    if (!img) void ensurePage(Math.floor(index / PAGE))
    return img
  }

  /** Imports a folder (or uploaded files' folder); progress arrives as events while the call is pending. */
  async function importPaths(paths: string[], options: ImportForm) {
    importError.value = null
    lastImport.value = null
    importing.value = true
    progress.value = { done: 0, total: 0, rate: 0, etaSeconds: null }
    offProgress ??= api().on('datasets.progress', (p) => {
      if (importing.value) progress.value = p
    })
    try {
      const result = await api().invoke('datasets.import', importOptions(paths, options))
      lastImport.value = result
      await load()
      await select(result.datasetId)
    } catch (err) {
      importError.value = errorText(err)
    } finally {
      importing.value = false
    }
  }

  async function cancelImport() {
    try {
      await api().invoke('datasets.cancelImport', undefined)
    } catch (err) {
      importError.value = errorText(err)
    }
  }

  /** The bundled sample images, for a first run without a folder of one's own. */
  async function importSamples(options: ImportForm) {
    importError.value = null
    try {
      const sample = await api().invoke('samples.folder', undefined)
      await importPaths([sample.path], { ...options, name: options.name ?? sample.name })
    } catch (err) {
      importError.value = errorText(err)
    }
  }

  /** Leaves an image out of training (or brings it back); the grid shows it at once, undone on failure. */
  async function setExcluded(index: number, excluded: boolean) {
    const img = images.get(index)
    if (!img || currentId.value === null) return
    images.set(index, { ...img, excluded })
    try {
      await api().invoke('datasets.exclude', { imageId: img.id, excluded })
    } catch (err) {
      images.set(index, img)
      error.value = errorText(err)
    }
  }

  /**
   * Shows the photo a face image came from. Another face of the photo on show is only highlighted; another
   * photo is fetched, and only the latest ask is shown.
   */
  async function showSource(imageId: number) {
    sourceError.value = null
    if (source.value?.faces.some((f) => f.imageId === imageId)) {
      sourceImageId.value = imageId
      return
    }
    const asked = ++sourceAsked
    try {
      const photo = await api().invoke('datasets.sourcePhoto', { imageId, maxSide: 1024 })
      if (asked !== sourceAsked) return
      source.value = photo
      sourceImageId.value = imageId
    } catch (err) {
      if (asked === sourceAsked) sourceError.value = errorText(err)
    }
  }

  function closeSource() {
    sourceAsked++
    source.value = null
    sourceImageId.value = null
    sourceError.value = null
  }

  async function remove(id: number) {
    error.value = null
    try {
      await api().invoke('datasets.delete', { datasetId: id })
      if (currentId.value === id) currentId.value = null
      await load()
    } catch (err) {
      error.value = errorText(err)
    }
  }

  return {
    list,
    currentId,
    current,
    loading,
    error,
    importing,
    progress,
    lastImport,
    skipped,
    importError,
    images,
    imageTotal,
    source,
    sourceImageId,
    sourceError,
    load,
    select,
    imageAt,
    importPaths,
    cancelImport,
    importSamples,
    setExcluded,
    showSource,
    closeSource,
    remove
  }
})
