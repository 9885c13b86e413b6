import { resolve } from 'node:path'
import type {
  AttributeVector,
  VectorComputeInput,
  VectorExportInput,
  VectorExportResult,
  VectorFrame,
  VectorFrameInput
} from '../../shared/contract/vector'
import type { Code } from '../../engine/latent/interp'
import { decodeCodes } from '../../engine/model-ops'
import { scaleImage } from '../exports/raw-image'
import { pngDataUrl, writeAnimation } from '../exports/write'
import { applyVector, attributeVector, norm, strengthSteps } from '../../engine/latent/attribute'
import { codesOf, withRun, type LoadedRun } from './run-models'
import type { Studio } from './studio'

async function vectorOf(studio: Studio, l: LoadedRun, input: VectorComputeInput): Promise<Code> {
  const withCodes = await codesOf(studio, l, input.withImages)
  const withoutCodes = await codesOf(studio, l, input.withoutImages)
  return attributeVector(withCodes, withoutCodes)
}

/** The attribute vector: mean code of the images with the trait minus the mean code of those without. */
export async function computeVector(studio: Studio, input: VectorComputeInput): Promise<AttributeVector> {
  return withRun(studio, input.runId, async (l) => {
    const vector = await vectorOf(studio, l, input)
    return {
      runId: input.runId,
      vector: Array.from(vector),
      dimensions: vector.length,
      norm: norm(vector),
      withCount: input.withImages.length,
      withoutCount: input.withoutImages.length
    }
  })
}

/** The target decoded from its code plus strength × the vector (strength 0 is its plain reconstruction). */
export async function vectorFrame(studio: Studio, input: VectorFrameInput): Promise<VectorFrame> {
  return withRun(studio, input.runId, async (l) => {
    const vector = await vectorOf(studio, l, input)
    const [target] = await codesOf(studio, l, [input.target])
    const [image] = await decodeCodes(l.model, [applyVector(target, vector, input.strength)])
    const out = input.size ? await scaleImage(image, input.size) : image
    return { dataUrl: await pngDataUrl(out), width: out.width, height: out.height, strength: input.strength }
  })
}

/** Writes the target at strengths from 0 to `strength` as an animation, and records the export. */
export async function vectorExport(studio: Studio, input: VectorExportInput): Promise<VectorExportResult> {
  const file = resolve(input.out)
  const strengths = strengthSteps(input.strength, input.frames)
  const { frames, vector } = await withRun(studio, input.runId, async (l) => {
    const vector = await vectorOf(studio, l, input)
    const [target] = await codesOf(studio, l, [input.target])
    const decoded = await decodeCodes(
      l.model,
      strengths.map((s) => applyVector(target, vector, s))
    )
    return { frames: await Promise.all(decoded.map((img) => scaleImage(img, input.size))), vector }
  })
  const written = await writeAnimation(frames, file, { delay: input.delay, loop: input.loop })
  const exportId = studio.store.artifacts.addExport(input.runId, 'vector', file, {
    withImages: input.withImages,
    withoutImages: input.withoutImages,
    target: input.target,
    strengths,
    size: input.size,
    delay: written.delay
  })
  return { exportId, ...written, dimensions: vector.length, norm: norm(vector), strengths }
}
