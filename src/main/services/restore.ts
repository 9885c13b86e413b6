import * as tf from '@tensorflow/tfjs'
import { basename, extname, join, resolve } from 'node:path'
import type { RestoreInput, RestoreResult, RestoredImage } from '../../shared/contract/restore'
import type { Run } from '../../shared/contract/domain'
import { bytesPerImage } from '../imaging/cache'
import { composeGrid } from '../exports/grid'
import { tensorToImages } from '../../engine/model-ops'
import { pixelsToTensor } from '../../engine/pixels'
import type { RawImage } from '../exports/raw-image'
import { pngDataUrl, writePng } from '../exports/write'
import { toGrey } from '../../engine/models/grey'
import type { Autoencoder } from '../../engine/autoencoder'
import { StudioError } from '../../shared/errors'
import type { Studio } from './studio'
import { imagePixels, runPreprocessing, withRun } from './run-models'
import { getRun } from './training'

type RestoreKind = RestoreResult['kind']

/** Which model kind each restore needs, and how to say so when the run is another kind. */
const NEEDS: Record<RestoreKind, { model: string; hint: string }> = {
  colorize: { model: 'colorize', hint: 'train one with `aestudio train <folder> --model colorize`' },
  clean: {
    model: 'denoising',
    hint: 'train one with `aestudio train <folder> --model denoising --noise-kind marks` (or mask)'
  }
}

function checkRun(studio: Studio, runId: number, kind: RestoreKind): Run {
  const run = getRun(studio, runId)
  const need = NEEDS[kind]
  if (run.config.model !== need.model)
    throw new StudioError(
      'validation',
      `Run ${runId} is a ${run.config.model} model; ${kind === 'colorize' ? 'colourising' : 'cleaning'} ` +
        `images needs a ${need.model} run: ${need.hint}.`
    )
  return run
}

const nameOf = (ref: number | string) =>
  typeof ref === 'number' ? `image ${ref}` : basename(ref, extname(ref)) || 'image'

/** A one-channel image widened to three equal channels, so it can sit beside a colour one in a strip. */
const widen = (img: RawImage): RawImage => {
  if (img.channels === 3) return img
  const data = new Uint8Array(img.data.length * 3)
  img.data.forEach((v, i) => data.fill(v, i * 3, i * 3 + 3))
  return { ...img, data, channels: 3 }
}

/**
 * The model's input and output for a batch of decoded images: colourisation sees the luminance and gives colour;
 * cleaning passes the images through as they are (they already carry the marks, so no noise is added).
 */
async function runModel(
  model: Autoencoder,
  kind: RestoreKind,
  pixels: Uint8Array,
  count: number
): Promise<{ inputs: RawImage[]; outputs: RawImage[] }> {
  const { size, channels } = model.config
  const [input, output] = tf.tidy(() => {
    const x = pixelsToTensor(pixels, count, size, channels)
    const seen = kind === 'colorize' ? toGrey(x) : x
    return [seen, model.decode(model.encode(seen))]
  })
  try {
    return { inputs: await tensorToImages(input), outputs: await tensorToImages(output) }
  } finally {
    tf.dispose([input, output])
  }
}

/** File names unique within one call: a second "cat" becomes "cat-2". */
function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>()
  return names.map((n) => {
    const safe = n.replace(/[^\w.-]+/g, '-')
    const k = (seen.get(safe) ?? 0) + 1
    seen.set(safe, k)
    return k === 1 ? safe : `${safe}-${k}`
  })
}

/**
 * Colourises (`colorize`) or cleans (`clean`) images with a run's model, at the model's size. Without `out` the
 * grey/marked input and the output come back as PNG data URLs; with it, each image gives `<name>-colour.png` or
 * `<name>-clean.png` plus `<name>-strip.png` (input | output side by side) in that folder.
 */
export async function restoreImages(
  studio: Studio,
  kind: RestoreKind,
  input: RestoreInput
): Promise<RestoreResult> {
  const run = checkRun(studio, input.runId, kind)
  const prep = runPreprocessing(studio, run)
  // Decode everything first, so a bad image is reported before the model is loaded or anything is written.
  const per = bytesPerImage(prep)
  const pixels = new Uint8Array(input.images.length * per)
  for (const [i, ref] of input.images.entries()) pixels.set(await imagePixels(studio, ref, prep), i * per)
  const result = await withRun(studio, input.runId, ({ model }) =>
    runModel(model, kind, pixels, input.images.length)
  )
  const names = input.images.map(nameOf)
  const files: string[] = []
  const images: RestoredImage[] = []
  const stems = uniqueNames(names)
  for (const [i, ref] of input.images.entries()) {
    const before = result.inputs[i]
    const after = result.outputs[i]
    if (!input.out) {
      images.push({
        image: ref,
        name: names[i],
        input: await pngDataUrl(before),
        output: await pngDataUrl(after)
      })
      continue
    }
    const dir = resolve(input.out)
    const outFile = join(dir, `${stems[i]}-${kind === 'colorize' ? 'colour' : 'clean'}.png`)
    const stripFile = join(dir, `${stems[i]}-strip.png`)
    await writePng(after, outFile)
    const strip = composeGrid([[widen(before), widen(after)]], { gap: 0 }).image
    await writePng(strip, stripFile)
    files.push(outFile, stripFile)
    images.push({ image: ref, name: names[i], files: [outFile, stripFile] })
  }
  return { runId: run.id, kind, size: run.config.size, images, files }
}
