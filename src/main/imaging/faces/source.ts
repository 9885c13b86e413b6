import sharp from 'sharp'
import type { RawImage } from '../decode'

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
