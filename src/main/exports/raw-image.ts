import sharp from 'sharp'
import type { RawImage } from '../../engine/pixels'

export type { RawImage }

/** The sharp pipeline for a raw image. */
export const rawToSharp = (img: RawImage) =>
  sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } })

export type ScaleKernel = 'nearest' | 'cubic' | 'lanczos3'

/**
 * Scales an image to `size`×`size` (`nearest` keeps pixels crisp for small images shown big; the smooth kernels
 * look better for morphs). The channel count is kept.
 */
export async function scaleImage(
  img: RawImage,
  size: number,
  kernel: ScaleKernel = 'lanczos3'
): Promise<RawImage> {
  if (img.width === size && img.height === size) return img
  const { data, info } = await rawToSharp(img)
    .resize(size, size, { kernel, fit: 'fill' })
    .toColourspace(img.channels === 1 ? 'b-w' : 'srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
  if (info.channels !== img.channels) throw new Error(`resize changed channels to ${info.channels}`)
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: size,
    height: size,
    channels: img.channels
  }
}
