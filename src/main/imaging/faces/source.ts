import sharp from 'sharp'
import { BACKGROUND, checkFile, DecodeError, DEFAULT_LIMITS, type DecodeLimits } from '../decode'
import { SNIFF_BYTES } from '../sniff'
import type { RawImage } from './warp'

// As the plain import words it (decode.ts).
const megapixels = (px: number) => {
  const mp = px / 1e6
  return mp >= 10 ? `${Math.round(mp)} MP` : `${Number(mp.toPrecision(2))} MP`
}

/**
 * Decodes a photo at full resolution for face alignment: EXIF orientation applied (so boxes and eyes are in the
 * upright picture's pixels, as the Datasets screen shows it), alpha flattened onto white, 8-bit sRGB. The same
 * file checks and limits as the plain import, with the same plain-word reasons.
 */
export async function decodeUpright(
  input: Buffer,
  limits: DecodeLimits = DEFAULT_LIMITS
): Promise<RawImage & { format: string }> {
  const format = checkFile(input.subarray(0, SNIFF_BYTES), input.length, limits)
  let pixels: number
  try {
    const meta = await sharp(input, { limitInputPixels: false }).metadata()
    pixels = (meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0)
  } catch {
    throw new DecodeError(`truncated or corrupt ${format}`)
  }
  if (pixels > limits.maxPixels)
    throw new DecodeError(`too large: ${megapixels(pixels)} over the ${megapixels(limits.maxPixels)} limit`)
  try {
    const { data, info } = await sharp(input, { failOn: 'error', limitInputPixels: limits.maxPixels })
      .timeout({ seconds: Math.max(1, Math.ceil(limits.timeoutSeconds)) })
      .rotate()
      .flatten({ background: BACKGROUND })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true })
    if (info.channels !== 3) throw new DecodeError(`could not be converted to RGB (${format})`)
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      channels: 3,
      format
    }
  } catch (err) {
    if (err instanceof DecodeError) throw err
    const message = (err as Error).message ?? ''
    if (/timeout/i.test(message))
      throw new DecodeError(`took longer than ${limits.timeoutSeconds} s to decode`)
    throw new DecodeError(`truncated or corrupt ${format}`)
  }
}

/** The image shrunk (Lanczos-3) so its longer side is at most `longSide`: what a detector looks at. */
export async function shrink(src: RawImage, longSide: number): Promise<RawImage> {
  const k = Math.min(1, longSide / Math.max(src.width, src.height))
  if (k === 1) return src
  const width = Math.max(1, Math.round(src.width * k))
  const height = Math.max(1, Math.round(src.height * k))
  const data = await sharp(src.data, {
    raw: { width: src.width, height: src.height, channels: src.channels }
  })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer()
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width,
    height,
    channels: src.channels
  }
}
