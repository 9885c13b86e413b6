import sharp from 'sharp'

/** 8-bit pixels, row-major, interleaved channels: what a model's output becomes before sharp writes it. */
export interface RawImage {
  data: Uint8Array
  width: number
  height: number
  channels: 1 | 3
}

/**
 * Splits a batch of model pixels (NHWC float in [0, 1], as `dataSync()` returns them) into 8-bit images.
 * Values outside [0, 1] are clamped and rounded, so a slightly overshooting decoder never wraps around.
 */
export function toRawImages(
  pixels: ArrayLike<number>,
  count: number,
  size: number,
  channels: 1 | 3
): RawImage[] {
  const per = size * size * channels
  if (pixels.length !== count * per)
    throw new Error(`expected ${count * per} pixel values for ${count} images, got ${pixels.length}`)
  return Array.from({ length: count }, (_, n) => {
    const data = new Uint8Array(per)
    for (let i = 0; i < per; i++) {
      const v = pixels[n * per + i]
      data[i] = v >= 1 ? 255 : v > 0 ? Math.round(v * 255) : 0
    }
    return { data, width: size, height: size, channels }
  })
}

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
