/** PCA vectors as pictures: the mean face as it is, each component mapped around mid grey. */
import type { RawImage } from '../exports/raw-image'

const toByte = (v: number) => (v >= 1 ? 255 : v > 0 ? Math.round(v * 255) : 0)

/** The mean image (values in [0, 1]) as 8-bit pixels. */
export function meanImage(mean: Float64Array, size: number, channels: 1 | 3): RawImage {
  return { data: Uint8Array.from(mean, toByte), width: size, height: size, channels }
}

/**
 * A component as an image: zero is mid grey and the largest magnitude reaches black or white, so the sign of
 * each pixel's weight reads as darker or lighter than grey.
 */
export function componentImage(v: Float64Array, size: number, channels: 1 | 3): RawImage {
  let peak = 0
  for (const x of v) peak = Math.max(peak, Math.abs(x))
  const data = Uint8Array.from(v, (x) => (peak > 0 ? Math.round(127.5 + (127.5 * x) / peak) : 128))
  return { data, width: size, height: size, channels }
}
