/** The smallest JPEG that is at least as faithful as a given PSNR, by binary search over sharp's quality. */
import sharp from 'sharp'
import type { RawImage } from '../exports/raw-image'
import { mse8, psnr } from './bits'

export interface JpegAtQuality {
  quality: number
  bytes: number
  psnr: number
}

/** Encodes at `quality` (1–100) and measures the decoded pixels against the original. */
export async function jpegAt(img: RawImage, quality: number): Promise<JpegAtQuality> {
  const buf = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } })
    .toColourspace(img.channels === 1 ? 'b-w' : 'srgb')
    .jpeg({ quality })
    .toBuffer()
  const decoded = await sharp(buf)
    .toColourspace(img.channels === 1 ? 'b-w' : 'srgb')
    .raw()
    .toBuffer()
  return { quality, bytes: buf.length, psnr: psnr(mse8(img.data, decoded)) }
}

export interface EqualQualityJpeg extends JpegAtQuality {
  /** False when even quality 100 stays below the target (it is reported then). */
  met: boolean
}

/**
 * The lowest quality whose PSNR reaches `target` dB. Quality 1 is tried first, then a binary search keeps
 * "lo fails, hi meets", so the answer's quality − 1 is known to fall short (PSNR is not strictly monotone in
 * quality, so this finds a threshold, the lowest one in most images).
 */
export async function equalQualityJpeg(img: RawImage, target: number): Promise<EqualQualityJpeg> {
  const best = await jpegAt(img, 100)
  if (best.psnr < target) return { ...best, met: false }
  const worst = await jpegAt(img, 1)
  if (worst.psnr >= target) return { ...worst, met: true }
  let lo = 1
  let hi = best
  while (hi.quality - lo > 1) {
    const mid = Math.floor((lo + hi.quality) / 2)
    const at = await jpegAt(img, mid)
    if (at.psnr >= target) hi = at
    else lo = mid
  }
  return { ...hi, met: true }
}
