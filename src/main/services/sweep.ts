import { resolve } from 'node:path'
import type { TrainConfig } from '../../shared/config'
import { withDatasetDefaults } from '../../shared/train-options'
import type {
  Sweep,
  SweepExportInput,
  SweepExportResult,
  SweepGrid,
  SweepGridInput,
  SweepProgress,
  SweepResult,
  SweepStartInput
} from '../../shared/contract/sweep'
import { sweepStartSchema } from '../../shared/contract/sweep'
import { composeGrid } from '../exports/grid'
import { enlargeCells, gridPng } from '../exports/grid-file'
import { withLabel } from '../exports/pixel-text'
import { reconstructionMse, reconstructTensor, tensorToImages } from '../../engine/model-ops'
import { pixelsToTensor } from '../../engine/pixels'
import type { RawImage } from '../exports/raw-image'
import { writeAnimation } from '../exports/write'
import { loadTrainingData, measuredSplit, pickImages, type TrainingData } from './datasets'
import { notFound, StudioError } from '../../shared/errors'
import { parseOrThrow } from '../../shared/validation'
import { withRun } from './run-models'
import type { Studio } from './studio'
import type { Emit } from '../../shared/contract/index'
import { isAlive } from '../util/process'
import { startTraining, type TrainingHost } from './training'

/** Image pixels per font pixel of the frame labels (a 3×5 font: 10 px tall digits). */
const LABEL_SCALE = 2

/** Sweeps training in this process: the run now training, and whether a stop was asked for. */
const active = new Map<number, { runId: number | null; stopped: boolean; host: TrainingHost }>()

export interface StartedSweep {
  sweep: Sweep
  /** Settles with the sweep's final row; never rejects. */
  finished: Promise<Sweep>
}

function getSweepRow(studio: Studio, sweepId: number): Sweep {
  const sweep = studio.store.sweeps.get(sweepId)
  if (!sweep) throw notFound(`Sweep ${sweepId}`)
  return sweep
}

/** A sweep, after marking it interrupted if the process that ran it is gone. */
export function getSweep(studio: Studio, sweepId: number): Sweep {
  studio.store.sweeps.markOrphansInterrupted(isAlive)
  return getSweepRow(studio, sweepId)
}

export function listSweeps(studio: Studio): Sweep[] {
  studio.store.sweeps.markOrphansInterrupted(isAlive)
  return studio.store.sweeps.list()
}

/** Mean squared error, pixels in [0, 1], of a run's best checkpoint reconstructing the validation split. */
export async function validationMse(studio: Studio, runId: number, data: TrainingData): Promise<number> {
  const { pixels, count } = pickImages(data, measuredSplit(data), Infinity)
  return withRun(studio, runId, ({ model }) => reconstructionMse(model, pixels, count))
}

const parseStart = (input: unknown): SweepStartInput => parseOrThrow(sweepStartSchema, input, 'Invalid sweep')

/**
 * Trains the same model at each latent size in turn (one run each, through `host`), measures each best
 * checkpoint's validation error, and records it on the sweep as it goes. A run that does not finish ends the
 * sweep with its status; the sizes done so far stay recorded.
 */
export function startSweep(
  studio: Studio,
  input: { datasetId: number; config: unknown; latents: number[] },
  host: TrainingHost,
  emit: Emit = () => {}
): StartedSweep {
  const { datasetId } = parseStart(input)
  const dataset = studio.store.datasets.get(datasetId)
  if (!dataset) throw notFound(`Dataset ${datasetId}`)
  // The dataset-size defaults (batch, augmentation) a single run gets, fixed once so every size trains alike.
  const { config, latents } = parseStart({
    ...input,
    config: withDatasetDefaults(input.config, dataset.trainCount)
  })
  if (dataset.size !== config.size || dataset.channels !== config.channels)
    throw new StudioError(
      'validation',
      `Dataset ${dataset.id} holds ${dataset.size}×${dataset.size} images with ${dataset.channels} channel(s); ` +
        `the sweep asks for ${config.size}×${config.size} with ${config.channels}.`
    )
  if (dataset.trainCount === 0)
    throw new StudioError('validation', `Dataset ${dataset.id} has no training images.`)
  const sweep = studio.store.sweeps.create(datasetId, config, latents)
  const state = { runId: null as number | null, stopped: false, host }
  active.set(sweep.id, state)
  const finished = runSweep(studio, sweep, config, state, emit)
    .catch((err: unknown) => {
      studio.store.sweeps.finish(sweep.id, 'failed', err instanceof Error ? err.message : String(err))
    })
    .then(() => {
      active.delete(sweep.id)
      return getSweepRow(studio, sweep.id)
    })
  // The app fires and forgets; a store closed at shutdown must not crash the process.
  finished.catch(() => {})
  return { sweep, finished }
}

async function runSweep(
  studio: Studio,
  sweep: Sweep,
  config: TrainConfig,
  state: { runId: number | null; stopped: boolean; host: TrainingHost },
  emit: Emit
): Promise<void> {
  const data = await loadTrainingData(studio, sweep.datasetId!)
  const results: SweepResult[] = []
  const progress = (index: number, runId: number | null, runStatus: string) =>
    emit('sweep.progress', {
      sweepId: sweep.id,
      index,
      latent: sweep.latents[index],
      runId,
      runStatus,
      sweep: getSweepRow(studio, sweep.id)
    } satisfies SweepProgress)
  for (const [index, latent] of sweep.latents.entries()) {
    if (state.stopped) {
      // Stopped between runs: the size about to start never ran.
      studio.store.sweeps.finish(sweep.id, 'stopped')
      return progress(index, null, 'stopped')
    }
    const { run, finished } = startTraining(
      studio,
      { datasetId: sweep.datasetId!, config: { ...config, latent } },
      state.host
    )
    state.runId = run.id
    progress(index, run.id, 'running')
    const final = await finished
    state.runId = null
    if (final.status !== 'done') {
      const status =
        final.status === 'stopped' ? 'stopped' : final.status === 'failed' ? 'failed' : 'interrupted'
      studio.store.sweeps.finish(
        sweep.id,
        status,
        status === 'stopped'
          ? null
          : `Run ${run.id} (latent ${latent}) ${final.status}: ${final.error ?? ''}`.trim()
      )
      return progress(index, run.id, final.status)
    }
    results.push({ latent, runId: run.id, valMse: await validationMse(studio, run.id, data) })
    studio.store.sweeps.setResults(sweep.id, results)
    if (index === sweep.latents.length - 1) studio.store.sweeps.finish(sweep.id, 'done')
    progress(index, run.id, final.status)
  }
}

/** Stops a sweep training in this process: its current run stops after the batch, and no further run starts. */
export function stopSweep(studio: Studio, sweepId: number): Sweep {
  const sweep = getSweep(studio, sweepId)
  const state = active.get(sweepId)
  if (!state) throw new StudioError('conflict', `Sweep ${sweepId} is not training (it is ${sweep.status}).`)
  state.stopped = true
  if (state.runId !== null) state.host.control(state.runId, 'stop')
  return sweep
}

/** The originals, then one row of reconstructions per finished latent size, cells enlarged to ≥ 64 px. */
async function reconstructionRows(studio: Studio, sweep: Sweep, count: number) {
  if (sweep.results.length === 0)
    throw new StudioError('unavailable', `Sweep ${sweep.id} has no finished latent size yet.`)
  if (sweep.datasetId === null)
    throw new StudioError(
      'failed',
      `The dataset of sweep ${sweep.id} was deleted, so it has no images to show.`
    )
  const data = await loadTrainingData(studio, sweep.datasetId)
  const images = pickImages(data, measuredSplit(data), count)
  if (images.count === 0)
    throw new StudioError('failed', `The dataset of sweep ${sweep.id} has no images left.`)
  const x = pixelsToTensor(images.pixels, images.count, data.size, data.channels)
  const rows: RawImage[][] = []
  try {
    rows.push(await tensorToImages(x))
    for (const r of sweep.results) {
      rows.push(await withRun(studio, r.runId, ({ model }) => reconstructTensor(model, x)))
    }
  } finally {
    x.dispose()
  }
  return { ...(await enlargeCells(rows)), latents: sweep.results.map((r) => r.latent) }
}

/** The validation images above their reconstructions at each finished latent size, as a data URL or a PNG. */
export async function sweepGrid(studio: Studio, input: SweepGridInput): Promise<SweepGrid> {
  const sweep = getSweep(studio, input.sweepId)
  const { rows, cell, latents } = await reconstructionRows(studio, sweep, input.count)
  // SweepGrid carries no export id, so the one recorded is not returned.
  const grid = await gridPng(rows, cell, input.out, (file) => {
    studio.store.artifacts.addExport(sweep.results.at(-1)!.runId, 'sweep-grid', file, {
      sweepId: sweep.id,
      latents
    })
  })
  return { rows: ['original', ...latents.map((l) => `latent ${l}`)], ...grid }
}

/** One frame per finished latent size, in latent order: the originals above that size's reconstructions. */
export async function sweepExport(studio: Studio, input: SweepExportInput): Promise<SweepExportResult> {
  const sweep = getSweep(studio, input.sweepId)
  const { rows, latents } = await reconstructionRows(studio, sweep, input.count)
  // Each frame names its latent size in a band above it, so the GIF explains itself wherever it is shown.
  const frames = rows
    .slice(1)
    .map((recons, i) => withLabel(composeGrid([rows[0], recons]).image, `latent ${latents[i]}`, LABEL_SCALE))
  const file = resolve(input.out)
  const {
    format,
    frames: count,
    width,
    height,
    delay
  } = await writeAnimation(frames, file, {
    delay: input.delay,
    loop: input.loop
  })
  studio.store.artifacts.addExport(sweep.results.at(-1)!.runId, format, file, {
    sweepId: sweep.id,
    latents,
    delay
  })
  return { file, format, frames: count, latents, width, height, delay }
}
