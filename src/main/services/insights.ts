/**
 * What the tutorials claim, measured on the user's own run: PCA as a linear baseline (eigenfaces, error at the
 * same number of components as the latent size) and what a code costs against files and an equal-quality JPEG.
 */
import type {
  CompressionReport,
  InsightsCompressionInput,
  InsightsPcaInput,
  MeasuredSplit,
  PcaBaseline
} from '../../shared/contract/insights'
import { chunk, squareColumns } from '../exports/grid'
import { enlargeCells, gridPng } from '../exports/grid-file'
import { decodeCodes, encodeImages, reconstructionMse } from '../../engine/model-ops'
import type { RawImage } from '../exports/raw-image'
import { bytesPerImage } from '../imaging/cache'
import { codeBits, mse8, psnr, quantiseCodes } from '../insights/bits'
import { componentImage, meanImage } from '../insights/eigenfaces'
import { equalQualityJpeg } from '../insights/jpeg'
import { explainedVariance, pcaReconstructionMse, type Pca } from '../insights/pca-exact'
import { byteRows, fitPcaSubspace } from '../insights/pca-subspace'
import { operatorFor } from '../insights/pca-workers'
import { loadTrainingData, pickImages, type PickedImages } from './datasets'
import { StudioError } from '../../shared/errors'
import type { Studio } from './studio'
import { modelCheckpoint } from './run-files'
import { withRun } from './run-models'
import { getRun } from './training'

/** Validation images measured at most (evenly spread); PCA converts them to Float64 CHUNK at a time. */
const MAX_MEASURED = 5000
const CHUNK = 256

/** The run, its dataset's pixels, and the split to measure on (validation, else training). */
async function runData(studio: Studio, runId: number) {
  const run = getRun(studio, runId)
  if (run.datasetId === null)
    throw new StudioError(
      'failed',
      `The dataset of run ${run.id} was deleted, so there are no images to measure.`
    )
  const data = await loadTrainingData(studio, run.datasetId)
  if (data.size !== run.config.size || data.channels !== run.config.channels)
    throw new StudioError(
      'failed',
      `Run ${run.id} trained on ${run.config.size}×${run.config.size} images but its dataset is now ` +
        `${data.size}×${data.size}; re-import it at the run's size to measure it.`
    )
  const split: MeasuredSplit = data.valCount > 0 ? 'val' : 'train'
  if ((split === 'val' ? data.valCount : data.trainCount) === 0)
    throw new StudioError('failed', `The dataset of run ${run.id} has no images left to measure.`)
  return { run, data, split }
}

/** Which checkpoint the numbers come from (the one `withRun` loads). */
const checkpointOf = (studio: Studio, runId: number) => {
  const { kind, epoch } = modelCheckpoint(studio, runId).checkpoint
  return { kind, epoch }
}

const toUnit = (pixels: Uint8Array) => Float64Array.from(pixels, (p) => p / 255)

/** PCA error over many images, converted to Float64 a chunk at a time so big splits don't need 8 bytes a value. */
function chunkedMse(pca: Pca, images: PickedImages, dim: number, k: number): number {
  let sum = 0
  for (let start = 0; start < images.count; start += CHUNK) {
    const n = Math.min(CHUNK, images.count - start)
    sum += pcaReconstructionMse(pca, toUnit(images.pixels.subarray(start * dim, (start + n) * dim)), n, k) * n
  }
  return sum / images.count
}

/** Lays images out in a near-square grid of enlarged cells; writes it (recorded) or returns a data URL. */
async function eigenfaceGrid(
  studio: Studio,
  runId: number,
  images: RawImage[],
  out: string | undefined,
  params: object
) {
  const { rows, cell } = await enlargeCells(chunk(images, squareColumns(images.length)))
  return gridPng(rows, cell, out, (file) =>
    studio.store.artifacts.addExport(runId, 'eigenfaces', file, { ...params })
  )
}

/**
 * PCA fitted on the run's training images, reconstructing the validation images with k components (k = the
 * latent size unless asked), beside the autoencoder's error on the same images; plus the eigenfaces.
 */
export async function pcaBaseline(studio: Studio, input: InsightsPcaInput): Promise<PcaBaseline> {
  const { run, data, split } = await runData(studio, input.runId)
  const k = input.components ?? run.config.latent
  if (data.trainCount < 2)
    throw new StudioError(
      'failed',
      `PCA needs at least 2 training images; the dataset of run ${run.id} has ${data.trainCount}.`
    )
  const dim = bytesPerImage(data)
  // Every training image, read as bytes a few rows at a time (see pca-subspace.ts).
  const fit = { count: data.trainCount }
  const rows = byteRows(data.train.subarray(0, fit.count * dim), fit.count, dim)
  const operator = operatorFor(rows)
  // Residual 1e-8 already fixes the captured variance (hence pcaMse) to ~14 digits; 1e-10 costs a third more
  // passes, which only small sets (where it reproduces the exact Jacobi answer) get for free.
  const tolerance = fit.count * dim >= 4_000_000 ? 1e-8 : 1e-10
  const pca = await fitPcaSubspace(rows, Math.max(k, input.shown), { operator, tolerance }).finally(() =>
    operator?.close()
  )
  if (k > pca.components.length)
    throw new StudioError(
      'validation',
      `PCA on ${fit.count} training images has ${pca.components.length} components at most; ask for ` +
        `${pca.components.length} or fewer.`
    )
  const measured = pickImages(data, split, MAX_MEASURED)
  const pcaMse = chunkedMse(pca, measured, dim, k)
  const aeMse = await withRun(studio, run.id, ({ model }) =>
    reconstructionMse(model, measured.pixels, measured.count)
  )
  const shown = pca.components.slice(0, input.shown)
  const eigenfaces = await eigenfaceGrid(
    studio,
    run.id,
    [
      meanImage(pca.mean, data.size, data.channels),
      ...shown.map((v) => componentImage(v, data.size, data.channels))
    ],
    input.out,
    { components: shown.length, fitCount: fit.count }
  )
  return {
    runId: run.id,
    k,
    latent: run.config.latent,
    count: measured.count,
    split,
    fitCount: fit.count,
    pcaMse,
    aeMse,
    pcaPsnr: psnr(pcaMse),
    aePsnr: psnr(aeMse),
    explainedVariance: explainedVariance(pca, k),
    componentVariance: Array.from(pca.eigenvalues.slice(0, shown.length), (l) => l / pca.totalVariance),
    eigenfaces,
    checkpoint: checkpointOf(studio, run.id)
  }
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length

/**
 * What the bottleneck costs per image (float32 and 8-bit codes, with the error each gives) against the original
 * files and, per image, the smallest JPEG as faithful (PSNR) as the autoencoder's 8-bit reconstruction.
 */
export async function compressionReport(
  studio: Studio,
  input: InsightsCompressionInput
): Promise<CompressionReport> {
  const { run, data, split } = await runData(studio, input.runId)
  const images = pickImages(data, split, input.limit)
  const { size, channels } = data
  const per = bytesPerImage(data)
  const originals: RawImage[] = Array.from({ length: images.count }, (_, i) => ({
    data: images.pixels.subarray(i * per, (i + 1) * per),
    width: size,
    height: size,
    channels
  }))
  const { recons, dequantised, quantised } = await withRun(studio, run.id, async ({ model }) => {
    const codes = await encodeImages(model, images.pixels, images.count)
    const quantised = quantiseCodes(codes, 8)
    return {
      recons: await decodeCodes(model, codes),
      dequantised: await decodeCodes(model, quantised.codes),
      quantised
    }
  })
  const errors = originals.map((o, i) => mse8(o.data, recons[i].data))
  const jpegs = []
  for (let i = 0; i < originals.length; i++) jpegs.push(await equalQualityJpeg(originals[i], psnr(errors[i])))
  const floatMse = mean(errors)
  const quantMse = mean(originals.map((o, i) => mse8(o.data, dequantised[i].data)))
  const rows = new Map(studio.store.images.images(data.datasetId).map((r) => [r.id, r.bytes]))
  const sourceBytes = mean(images.imageIds.map((id) => rows.get(id) ?? 0))
  const jpegBytes = mean(jpegs.map((j) => j.bytes))
  const jpegMse = mean(jpegs.map((j) => 10 ** (-j.psnr / 10)))
  const latent = run.config.latent
  return {
    runId: run.id,
    latent,
    count: images.count,
    split,
    size,
    channels,
    pixels: { bits: per * 8, bytes: per, mse: 0, psnr: null },
    float32: { bits: codeBits(latent), bytes: codeBits(latent) / 8, mse: floatMse, psnr: psnr(floatMse) },
    quantised8: {
      bits: codeBits(latent, 8),
      bytes: codeBits(latent, 8) / 8,
      mse: quantMse,
      psnr: psnr(quantMse),
      rangeBits: quantised.min.length * 2 * 32
    },
    source: { bits: sourceBytes * 8, bytes: sourceBytes, mse: null, psnr: null },
    jpeg: {
      bits: jpegBytes * 8,
      bytes: jpegBytes,
      mse: jpegMse,
      psnr: psnr(jpegMse),
      meanQuality: mean(jpegs.map((j) => j.quality)),
      missed: jpegs.filter((j) => !j.met).length
    },
    checkpoint: checkpointOf(studio, run.id)
  }
}
