import { defineStore } from 'pinia'
import { computed, markRaw, reactive, ref, shallowRef } from 'vue'
import type { TrainConfig, TrainConfigInput } from '../../../shared/config'
import { defaultAugmentFor, NO_AUGMENT, type AugmentGroup } from '../../../shared/train-options'
import type { EpochMetrics, Run, RunStatus } from '../../../shared/contract/domain'
import type {
  TrainingBatch,
  TrainingEpoch,
  TrainingPreview,
  TrainingStatus
} from '../../../shared/contract/training'
import { ApiError } from '../api/client'
import { api, errorText } from '../studio'
import { useDatasetsStore } from './datasets'
import { appendMetrics, emptyBuffers, seriesOf } from './loss-series'
import {
  augmentOf,
  autoAugmentChoice,
  defaultScheduleForm,
  scheduleOf,
  withGroup,
  type AugmentChoice
} from './train-options-form'

type EpochEvent = TrainingEpoch
type BatchEvent = TrainingBatch
type StatusEvent = TrainingStatus
type PreviewEvent = TrainingPreview

// Augmentation and the batch size are held apart (augmentChoice, batchChoice): left unset until the person sets
// them, so main's dataset-size defaults apply. The schedule has its own form (every kind's fields at once).
export type TrainForm = Omit<TrainConfig, 'seed' | 'clipNorm' | 'augment' | 'batch' | 'lrSchedule'>

export const defaultForm = (latent = 32, size = 64): TrainForm => ({
  model: 'conv',
  upsample: 'transpose',
  latent,
  size,
  channels: 3,
  loss: 'mse',
  epochs: 20,
  lr: 0.001,
  beta: 1,
  noise: { kind: 'gaussian', amount: 0.2 },
  lambda: 0.001,
  weightDecay: 0,
  earlyStop: 0,
  backend: 'auto'
})

const LIVE: RunStatus[] = ['queued', 'running', 'paused']

export const useTrainingStore = defineStore('training', () => {
  const form = reactive<TrainForm>(defaultForm())
  /** Set once the person types a latent size, so a later Settings change no longer overwrites it. */
  const latentOverridden = ref(false)
  const datasetId = ref<number | null>(null)
  /** Null until the person touches the toggles or the batch size: then the dataset's defaults apply. */
  const augmentChoice = ref<AugmentChoice | null>(null)
  const batchChoice = ref<number | null>(null)
  const schedule = reactive(defaultScheduleForm())
  const datasets = useDatasetsStore()
  const dataset = computed(() => datasets.list.find((d) => d.id === datasetId.value) ?? null)
  /** The toggles as shown: the person's choice, else what the dataset's default will be. */
  const augmentShown = computed(
    () => augmentChoice.value ?? autoAugmentChoice(dataset.value?.trainCount ?? null)
  )
  /** The augmentation the run will get, for the preview strip. */
  const augmentInEffect = computed(() => {
    if (augmentChoice.value) return augmentOf(augmentChoice.value)
    return dataset.value ? defaultAugmentFor(dataset.value.trainCount) : { ...NO_AUGMENT }
  })
  const run = ref<Run | null>(null)
  const status = ref<RunStatus | null>(null)
  const batch = ref<BatchEvent | null>(null)
  const lastEpoch = ref<EpochEvent | null>(null)
  const previews = ref<{ epoch: number; file: string }[]>([])
  const error = ref<string | null>(null)
  const fieldErrors = ref<Record<string, string>>({})
  const busy = ref(false)
  // The chart's data: plain arrays appended to in place (never reactive, never replaced during a run).
  const buffers = shallowRef(markRaw(emptyBuffers()))
  const revision = ref(0)
  // The buffers are not reactive (they grow in place); the revision says when the set of lines may have changed.
  const series = computed(() => {
    void revision.value
    return seriesOf(buffers.value)
  })
  const live = computed(() => status.value !== null && LIVE.includes(status.value))
  let listening: (() => void)[] = []

  /** Set once the person picks a backend for this run. */
  const backendOverridden = ref(false)

  /**
   * Settings supply the defaults; a value the person chose for this run wins. The image size is not among them:
   * a run trains at its dataset's size (Settings' default image size applies to imports).
   */
  function applyDefaults(defaults: { latent: number; backend: TrainConfig['backend'] }) {
    if (!latentOverridden.value) form.latent = defaults.latent
    if (!backendOverridden.value) form.backend = defaults.backend
  }

  function setLatent(value: number) {
    form.latent = value
    latentOverridden.value = true
  }

  function setBackend(value: TrainConfig['backend']) {
    form.backend = value
    backendOverridden.value = true
  }

  function setAugmentOn(on: boolean) {
    augmentChoice.value = { ...augmentShown.value, on }
  }

  function setAugmentGroup(group: AugmentGroup, on: boolean) {
    augmentChoice.value = withGroup(augmentShown.value, group, on)
  }

  /** Back to the dataset's default. */
  function resetAugment() {
    augmentChoice.value = null
  }

  /** A batch size, or null for the dataset's default. */
  function setBatch(value: number | null) {
    batchChoice.value = value
  }

  /** The run's config as sent: augment and batch only where the person set them. */
  function requestConfig(): TrainConfigInput {
    return {
      ...form,
      noise: { ...form.noise },
      lrSchedule: scheduleOf(schedule),
      ...(batchChoice.value === null ? {} : { batch: batchChoice.value }),
      ...(augmentChoice.value ? { augment: augmentOf(augmentChoice.value) } : {})
    }
  }

  const mine = (e: { runId: number }) => run.value !== null && e.runId === run.value.id

  function onEpoch(e: EpochEvent) {
    if (!mine(e)) return
    const m: EpochMetrics = {
      epoch: e.epoch,
      loss: e.loss,
      recon: e.recon,
      kl: e.kl,
      valLoss: e.valLoss,
      imagesPerSecond: e.imagesPerSecond,
      seconds: e.seconds,
      lr: e.lr
    }
    appendMetrics(buffers.value, m)
    revision.value++
    lastEpoch.value = e
    if (run.value) {
      run.value.epochsDone = e.epoch
      if (e.valLoss != null && (run.value.bestValLoss == null || e.valLoss < run.value.bestValLoss))
        run.value.bestValLoss = e.valLoss
    }
  }

  function onBatch(e: BatchEvent) {
    if (mine(e)) batch.value = e
  }

  function onStatus(e: StatusEvent) {
    if (!mine(e)) return
    status.value = e.status
    if (run.value) {
      run.value.status = e.status
      run.value.epochsDone = e.epochsDone
    }
    if (e.status === 'failed') error.value = e.error || 'Training failed.'
    // The run row knows what a status event does not carry: the backend chosen and why, the timestamps.
    void api()
      .invoke('runs.get', { runId: e.runId })
      .then((fresh) => {
        if (run.value?.id === fresh.id) run.value = { ...fresh, status: status.value ?? fresh.status }
      })
      .catch(() => {})
  }

  function onPreview(e: PreviewEvent) {
    if (!mine(e)) return
    previews.value = [...previews.value.filter((p) => p.epoch !== e.epoch), { epoch: e.epoch, file: e.file }]
  }

  /** Subscribes to the training events once; they are filtered to the run on show. */
  function listen() {
    if (listening.length > 0) return
    listening = [
      api().on('training.epoch', onEpoch),
      api().on('training.batch', onBatch),
      api().on('training.status', onStatus),
      api().on('training.preview', onPreview)
    ]
  }

  function stopListening() {
    for (const off of listening) off()
    listening = []
  }

  function resetView(next: Run) {
    run.value = next
    status.value = next.status
    batch.value = null
    lastEpoch.value = null
    previews.value = []
    buffers.value = markRaw(emptyBuffers())
    revision.value++
  }

  /** Shows an existing run (e.g. from the Runs screen): its metrics so far, then live updates if it is going. */
  async function show(existing: Run) {
    listen()
    resetView(existing)
    try {
      const [metrics, grids] = await Promise.all([
        api().invoke('runs.metrics', { runId: existing.id }),
        api().invoke('runs.previews', { runId: existing.id })
      ])
      for (const m of metrics) appendMetrics(buffers.value, m)
      previews.value = grids
      revision.value++
    } catch (err) {
      error.value = errorText(err)
    }
  }

  function fail(err: unknown) {
    error.value = errorText(err)
    if (err instanceof ApiError && err.code === 'validation') {
      // "config.latent: must be at most 512" → shown next to the latent field.
      fieldErrors.value = Object.fromEntries(
        err.issues.map((i) => {
          const [path, ...rest] = i.split(': ')
          return [path.replace(/^config\./, ''), rest.join(': ') || i]
        })
      )
    }
  }

  async function start() {
    error.value = null
    fieldErrors.value = {}
    if (datasetId.value === null) {
      error.value = 'Pick a dataset to train on first (import one on the Datasets screen).'
      return
    }
    listen()
    busy.value = true
    try {
      const created = await api().invoke('training.start', {
        datasetId: datasetId.value,
        config: requestConfig()
      })
      resetView(created)
    } catch (err) {
      fail(err)
    } finally {
      busy.value = false
    }
  }

  async function control(action: 'pause' | 'resume' | 'stop') {
    if (!run.value) return
    error.value = null
    busy.value = true
    try {
      const updated = await api().invoke(`training.${action}`, { runId: run.value.id })
      // Status events follow; the returned run keeps the buttons from lagging behind.
      if (updated && run.value?.id === updated.id) {
        run.value = { ...run.value, ...updated }
        status.value = updated.status
      }
    } catch (err) {
      fail(err)
    } finally {
      busy.value = false
    }
  }

  /** Continues an interrupted or stopped run from its last checkpoint. */
  async function resumeRun(existing: Run) {
    error.value = null
    listen()
    try {
      await show(existing)
      const resumed = await api().invoke('training.resume', { runId: existing.id })
      run.value = resumed
      status.value = resumed.status
    } catch (err) {
      fail(err)
    }
  }

  return {
    form,
    latentOverridden,
    datasetId,
    dataset,
    augmentChoice,
    augmentShown,
    augmentInEffect,
    batchChoice,
    schedule,
    run,
    status,
    batch,
    lastEpoch,
    previews,
    error,
    fieldErrors,
    busy,
    buffers,
    revision,
    series,
    live,
    applyDefaults,
    setLatent,
    setBackend,
    setAugmentOn,
    setAugmentGroup,
    resetAugment,
    setBatch,
    requestConfig,
    listen,
    stopListening,
    show,
    start,
    control,
    resumeRun,
    // Exposed for tests and for the web socket reconnect path.
    onEpoch,
    onBatch,
    onStatus,
    onPreview
  }
})
