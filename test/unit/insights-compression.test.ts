// Compression accounting on generated images: code bits, 8-bit quantisation of codes, PSNR, and the
// equal-quality JPEG search (the JPEG found meets the PSNR bound and one quality step lower does not).
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { codeBits, mse8, psnr, quantiseCodes } from '../../src/main/insights/bits'
import { equalQualityJpeg, jpegAt } from '../../src/main/insights/jpeg'
import type { RawImage } from '../../src/main/exports/raw-image'
import { shapeSvg } from '../helpers/images'

async function shape(index: number, size: number, channels: 1 | 3): Promise<RawImage> {
  const data = await sharp(Buffer.from(shapeSvg(index, size)))
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .removeAlpha()
    .raw()
    .toBuffer()
  return { data: new Uint8Array(data), width: size, height: size, channels }
}

describe('code bits and PSNR', () => {
  it('counts latent × 32 bits as float32 and latent × 8 after 8-bit quantisation', () => {
    expect(codeBits(16)).toBe(512)
    expect(codeBits(16, 8)).toBe(128)
  })

  it('PSNR of an MSE on [0, 1] values, and MSE of 8-bit pixels on that scale', () => {
    expect(psnr(0.01)).toBeCloseTo(20, 12)
    expect(psnr(0)).toBe(Infinity)
    expect(mse8([0, 255], [255, 255])).toBeCloseTo(0.5, 12)
  })
})

describe('8-bit code quantisation', () => {
  it('keeps each dimension within half a level of its value and hits the range ends exactly', () => {
    const codes = [
      [-1, 10, 3],
      [0.3, 12, 3],
      [2, 11.37, 3]
    ]
    const { codes: q, min, max } = quantiseCodes(codes, 8)
    expect(Array.from(min)).toEqual([-1, 10, 3])
    expect(Array.from(max)).toEqual([2, 12, 3])
    codes.forEach((c, i) =>
      c.forEach((x, j) => {
        const step = (max[j] - min[j]) / 255
        expect(Math.abs(q[i][j] - x)).toBeLessThanOrEqual(step / 2 + 1e-6)
      })
    )
    expect(q[0][0]).toBeCloseTo(-1, 6)
    expect(q[2][0]).toBeCloseTo(2, 6)
    // A constant dimension costs nothing and is kept exactly.
    expect(q.map((c) => c[2])).toEqual([3, 3, 3])
    // 2 levels (1 bit) snap to the ends.
    expect(Array.from(quantiseCodes([[0], [0.4], [1]], 1).codes.flatMap((c) => Array.from(c)))).toEqual([
      0, 0, 1
    ])
  })
})

describe('equal-quality JPEG', () => {
  for (const channels of [1, 3] as const) {
    it(`finds the smallest quality meeting a PSNR target (${channels} channel${channels > 1 ? 's' : ''})`, async () => {
      const img = await shape(3, 32, channels)
      const target = 30
      const found = await equalQualityJpeg(img, target)
      expect(found.met).toBe(true)
      expect(found.psnr).toBeGreaterThanOrEqual(target)
      // Measured again from scratch: the same bytes and PSNR, and one quality step lower falls short.
      const again = await jpegAt(img, found.quality)
      expect(again).toEqual({ quality: found.quality, bytes: found.bytes, psnr: found.psnr })
      expect(found.quality).toBeGreaterThan(1)
      expect((await jpegAt(img, found.quality - 1)).psnr).toBeLessThan(target)
    })
  }

  it('says so when even quality 100 misses the target, and takes quality 1 when it is enough', async () => {
    const img = await shape(5, 32, 3)
    const tooHigh = await equalQualityJpeg(img, Infinity)
    expect(tooHigh).toMatchObject({ met: false, quality: 100 })
    const easy = await equalQualityJpeg(img, 5)
    expect(easy).toMatchObject({ met: true, quality: 1 })
  })
})
