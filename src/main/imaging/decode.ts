import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import sharp, { type Metadata } from 'sharp'
import type { Fit } from '../../shared/contract/domain'
import { StudioError } from '../../shared/errors'
import { SNIFF_BYTES, sniff } from './sniff'

export interface Preprocessing {
  /** Output is size×size pixels. */
  size: number
  channels: 1 | 3
  fit: Fit
}

export interface DecodeLimits {
  /**
   * Largest image accepted, in pixels (width × height). 50 MP covers every phone and most camera photos while
   * keeping one decode's memory bounded (a 50 MP RGBA image is 200 MB uncompressed).
   */
  maxPixels: number
  /** A decode taking longer than this is abandoned (libvips stops it) and the file skipped. */
  timeoutSeconds: number
  /** Files larger than this are not even read. */
  maxFileBytes: number
}

export const DEFAULT_LIMITS: DecodeLimits = {
  maxPixels: 50_000_000,
  timeoutSeconds: 30,
  maxFileBytes: 512 * 1024 * 1024
}

/** Transparent areas and `contain` letterboxes become white: sketches and cut-outs are drawn on white. */
export const BACKGROUND = { r: 255, g: 255, b: 255 }

/** A file that cannot become pixels, with the reason in words a person understands. */
export class DecodeError extends Error {
  constructor(readonly reason: string) {
    super(reason)
    this.name = 'DecodeError'
  }
}

const megapixels = (px: number) => {
  const mp = px / 1e6
  return mp >= 10 ? `${Math.round(mp)} MP` : `${Number(mp.toPrecision(2))} MP`
}

const sizeInWords = (bytes: number) =>
  bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`

/** Checks a file's first bytes and size; throws a DecodeError for files that must not reach the decoder. */
export function checkFile(head: Buffer, bytes: number, limits: DecodeLimits = DEFAULT_LIMITS): string {
  if (bytes === 0) throw new DecodeError('empty file')
  const s = sniff(head)
  if (s.kind === 'unknown') throw new DecodeError('not an image')
  if (s.kind === 'unsupported') throw new DecodeError(`unsupported format: ${s.format}`)
  if (bytes > limits.maxFileBytes)
    throw new DecodeError(
      `too large: ${sizeInWords(bytes)} over the ${sizeInWords(limits.maxFileBytes)} limit`
    )
  return s.format
}

export interface Decoded {
  /** size×size×channels bytes, row-major, channels last (NHWC for one image). */
  pixels: Uint8Array
  /** Dimensions as displayed (after EXIF rotation). */
  width: number
  height: number
  format: string
}

/**
 * Turns one image file's bytes into model input: EXIF orientation applied, alpha flattened onto white, 16-bit
 * and CMYK converted to 8-bit sRGB, then grey or RGB, resized by `cover` (centre crop), `contain` (letterbox)
 * or `attention` (sharp's saliency crop). Every failure is a DecodeError with a plain reason.
 */
export async function preprocess(
  input: Buffer,
  prep: Preprocessing,
  limits: DecodeLimits = DEFAULT_LIMITS
): Promise<Decoded> {
  // libvips stops itself at the timeout; this deadline also covers a decoder stuck where libvips cannot
  // check (header parsing), so one bad file can never stall an import.
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DecodeError(`took longer than ${limits.timeoutSeconds} s to decode`)),
      limits.timeoutSeconds * 1000 * 1.5
    )
  })
  try {
    return await Promise.race([decode(input, prep, limits), deadline])
  } finally {
    clearTimeout(timer)
  }
}

async function decode(
  input: Buffer,
  { size, channels, fit }: Preprocessing,
  limits: DecodeLimits
): Promise<Decoded> {
  const format = checkFile(input.subarray(0, SNIFF_BYTES), input.length, limits)
  let meta: Metadata
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata()
  } catch {
    throw new DecodeError(`truncated or corrupt ${format}`)
  }
  const pixels = (meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0)
  if (pixels > limits.maxPixels)
    throw new DecodeError(`too large: ${megapixels(pixels)} over the ${megapixels(limits.maxPixels)} limit`)
  try {
    const { data, info } = await sharp(input, { failOn: 'error', limitInputPixels: limits.maxPixels })
      .timeout({ seconds: Math.max(1, Math.ceil(limits.timeoutSeconds)) })
      .rotate()
      .flatten({ background: BACKGROUND })
      .resize(size, size, {
        fit: fit === 'contain' ? 'contain' : 'cover',
        position: fit === 'attention' ? 'attention' : 'centre',
        background: BACKGROUND
      })
      .toColourspace(channels === 1 ? 'b-w' : 'srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true })
    if (info.channels !== channels || info.width !== size || info.height !== size)
      throw new DecodeError(`could not be converted to ${size}×${size}×${channels} (${format})`)
    const upright = (meta.orientation ?? 1) >= 5
    return {
      pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: (upright ? meta.height : meta.width) ?? 0,
      height: (upright ? meta.width : meta.height) ?? 0,
      format
    }
  } catch (err) {
    if (err instanceof DecodeError) throw err
    const message = (err as Error).message ?? ''
    if (/timeout/i.test(message))
      throw new DecodeError(`took longer than ${limits.timeoutSeconds} s to decode`)
    if (/pixel limit/i.test(message))
      throw new DecodeError(`too large: over the ${megapixels(limits.maxPixels)} limit`)
    throw new DecodeError(`truncated or corrupt ${format}`)
  }
}

/** Small WebP of exactly what the model sees, for the UI's image grid. */
export async function thumbnail(pixels: Uint8Array, size: number, channels: 1 | 3): Promise<Buffer> {
  return sharp(pixels, { raw: { width: size, height: size, channels } })
    .webp({ quality: 80, effort: 0 })
    .toBuffer()
}

/**
 * One image file preprocessed exactly like a dataset image (for encoding user-picked images). Throws a
 * StudioError naming the file and the reason when it cannot be used.
 */
export async function decodeForModel(file: string, options: Preprocessing): Promise<Uint8Array> {
  let input: Buffer
  try {
    input = await readFile(file)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new StudioError('not_found', `${file} does not exist.`)
    throw new StudioError('failed', `${file} cannot be read: ${(err as Error).message}`)
  }
  try {
    return (await preprocess(input, options)).pixels
  } catch (err) {
    if (err instanceof DecodeError) throw new StudioError('validation', `${basename(file)}: ${err.reason}.`)
    throw err
  }
}
