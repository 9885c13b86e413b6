import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import sharp, { type Metadata } from 'sharp'
import type { FaceSettings, Fit } from '../../shared/contract/domain'
import { StudioError } from '../../shared/errors'
import { SNIFF_BYTES, sniff } from './sniff'

export interface Preprocessing {
  /** Output is size×size pixels. */
  size: number
  channels: 1 | 3
  fit: Fit
  /** How faces are cut (fit 'faces' only). */
  faces?: FaceSettings | null
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

/** Decoded pixels, upright (EXIF orientation applied), row-major, channels last. */
export interface RawImage {
  data: Uint8Array
  width: number
  height: number
  channels: 1 | 3
}

/** How `decodePixels` shapes the upright image: grey or RGB, and optionally resized to a square. */
interface Shape {
  channels: 1 | 3
  resize?: { size: number; fit: Fit }
}

/**
 * Turns one image file's bytes into model input: EXIF orientation applied, alpha flattened onto white, 16-bit
 * and CMYK converted to 8-bit sRGB, then grey or RGB, resized by `cover` (centre crop), `contain` (letterbox)
 * or `attention` (sharp's saliency crop). Every failure is a DecodeError with a plain reason.
 */
export async function preprocess(
  input: Buffer,
  { size, channels, fit }: Preprocessing,
  limits: DecodeLimits = DEFAULT_LIMITS
): Promise<Decoded> {
  // 'faces' has no resize of its own: its crops are cut from decodeUpright's full picture.
  if (fit === 'faces') throw new Error('preprocess cannot crop faces; use findFaces')
  const d = await decodePixels(input, limits, { channels, resize: { size, fit } })
  return { pixels: d.data, width: d.width, height: d.height, format: d.format }
}

/**
 * One image file at full resolution, upright (EXIF applied), alpha flattened onto white, 8-bit sRGB (or grey):
 * what face alignment cuts its crops from, in the pixels the Datasets screen shows it in. The same file checks,
 * limits and plain-word reasons as `preprocess`.
 */
export async function decodeUpright(
  input: Buffer,
  limits: DecodeLimits = DEFAULT_LIMITS,
  channels: 1 | 3 = 3
): Promise<RawImage & { format: string }> {
  const d = await decodePixels(input, limits, { channels })
  return { data: d.data, width: d.pixelWidth, height: d.pixelHeight, channels, format: d.format }
}

/**
 * The one decode both of the above use. libvips stops itself at the timeout; the deadline here also covers a
 * decoder stuck where libvips cannot check (header parsing), so one bad file can never stall an import.
 */
async function decodePixels(input: Buffer, limits: DecodeLimits, shape: Shape) {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DecodeError(`took longer than ${limits.timeoutSeconds} s to decode`)),
      limits.timeoutSeconds * 1000 * 1.5
    )
  })
  try {
    return await Promise.race([decode(input, limits, shape), deadline])
  } finally {
    clearTimeout(timer)
  }
}

async function decode(input: Buffer, limits: DecodeLimits, { channels, resize }: Shape) {
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
    let img = sharp(input, { failOn: 'error', limitInputPixels: limits.maxPixels })
      .timeout({ seconds: Math.max(1, Math.ceil(limits.timeoutSeconds)) })
      .rotate()
      .flatten({ background: BACKGROUND })
    // Resizing in the same pipeline lets libvips shrink a JPEG while decoding it (much faster than decoding
    // the whole photo first).
    if (resize)
      img = img.resize(resize.size, resize.size, {
        fit: resize.fit === 'contain' ? 'contain' : 'cover',
        position: resize.fit === 'attention' ? 'attention' : 'centre',
        background: BACKGROUND
      })
    const { data, info } = await img
      .toColourspace(channels === 1 ? 'b-w' : 'srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true })
    const want = resize ? `${resize.size}×${resize.size}×${channels}` : channels === 1 ? 'grey' : 'RGB'
    if (info.channels !== channels || (resize && (info.width !== resize.size || info.height !== resize.size)))
      throw new DecodeError(`could not be converted to ${want} (${format})`)
    const upright = (meta.orientation ?? 1) >= 5
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: (upright ? meta.height : meta.width) ?? 0,
      height: (upright ? meta.width : meta.height) ?? 0,
      pixelWidth: info.width,
      pixelHeight: info.height,
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
