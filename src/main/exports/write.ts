import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm } from 'node:fs/promises'
import { basename, dirname, extname, join } from 'node:path'
import sharp, { type Sharp } from 'sharp'
import type { AnimationFile } from '../../shared/contract/viewers'
import { composeGrid } from './grid'
import { rawToSharp, type RawImage } from './raw-image'

export type AnimationFormat = 'gif' | 'webp' | 'png'

const FORMATS: Record<string, AnimationFormat> = { '.gif': 'gif', '.webp': 'webp', '.png': 'png' }

/** The animation format a file name asks for, or a plain-words error. */
export function animationFormat(file: string): AnimationFormat {
  const format = FORMATS[extname(file).toLowerCase()]
  if (!format)
    throw new Error(
      `Can't tell the format from "${basename(file)}": name it .gif, .webp or .png (a strip of frames).`
    )
  return format
}

/**
 * Runs `write` against a temporary name beside `file` and renames it into place, so a failed or interrupted
 * export never leaves half a file where a good one may have been.
 */
export async function writeAtomically(file: string, write: (tmp: string) => Promise<unknown>): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  // The temporary name keeps the extension: sharp picks nothing from it, but a crash leaves a recognisable file.
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    await write(tmp)
    await rename(tmp, file)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

export interface AnimationOptions {
  /** Milliseconds per frame. GIF stores hundredths of a second, so it is rounded to 10 ms there. */
  delay: number
  /** 0 loops forever, n plays n times. */
  loop: number
}

export type WrittenFile = AnimationFile

/** A PNG pipeline that keeps one-channel images greyscale (sharp would otherwise widen them to RGB). */
const toPng = (image: RawImage, compressionLevel: number) =>
  rawToSharp(image)
    .toColourspace(image.channels === 1 ? 'b-w' : 'srgb')
    .png({ compressionLevel })

/** Stacks the frames into one tall raw image with `pageHeight`, sharp's multi-page layout for animations. */
function stackFrames(frames: readonly RawImage[]): Sharp {
  const { width, height, channels } = frames[0]
  const data = new Uint8Array(width * height * channels * frames.length)
  const per = width * height * channels
  frames.forEach((f, i) => {
    if (f.width !== width || f.height !== height || f.channels !== channels || f.data.length !== per)
      throw new Error('every frame must have the same size and channels')
    data.set(f.data, i * per)
  })
  return sharp(data, { raw: { width, height: height * frames.length, channels, pageHeight: height } })
}

/**
 * Writes frames as an animated GIF or WebP, or as a PNG strip (frames left to right, no gaps), chosen by the
 * file's extension. Every frame is kept even when two are identical, so the frame count is what was asked.
 */
export async function writeAnimation(
  frames: readonly RawImage[],
  file: string,
  { delay, loop }: AnimationOptions
): Promise<WrittenFile> {
  if (frames.length === 0) throw new Error('an animation needs at least one frame')
  const format = animationFormat(file)
  const { width, height } = frames[0]
  const delays = new Array<number>(frames.length).fill(Math.round(delay))
  await writeAtomically(file, async (tmp) => {
    if (format === 'png') {
      return toPng(composeGrid([frames], { gap: 0 }).image, 9).toFile(tmp)
    }
    const pipeline = stackFrames(frames)
    if (format === 'gif') return pipeline.gif({ delay: delays, loop, keepDuplicateFrames: true }).toFile(tmp)
    return pipeline.webp({ delay: delays, loop, lossless: true }).toFile(tmp)
  })
  const stored = format === 'gif' ? Math.round(delay / 10) * 10 : delay
  return format === 'png'
    ? { file, format, frames: frames.length, width: width * frames.length, height, delay: stored }
    : { file, format, frames: frames.length, width, height, delay: stored }
}

/** Writes one still image as PNG (grids, single frames). */
export async function writePng(image: RawImage, file: string): Promise<void> {
  await writeAtomically(file, (tmp) => toPng(image, 9).toFile(tmp))
}

/** One image as a `data:image/png;base64,…` URL, for the renderer to show without touching the disk. */
export async function pngDataUrl(image: RawImage): Promise<string> {
  const png = await toPng(image, 3).toBuffer()
  return `data:image/png;base64,${png.toString('base64')}`
}
