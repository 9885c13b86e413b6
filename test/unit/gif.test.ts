import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { composeGrid, gridGeometry } from '../../src/main/exports/grid'
import { toRawImages, type RawImage } from '../../src/engine/pixels'
import { scaleImage } from '../../src/main/exports/raw-image'
import { animationFormat, pngDataUrl, writeAnimation, writePng } from '../../src/main/exports/write'
import { tempDir } from '../helpers/tmp'

/** A flat grey frame of one level, so every frame is recognisable after decoding. */
const flat = (level: number, size = 16, channels: 1 | 3 = 3): RawImage => ({
  data: new Uint8Array(size * size * channels).fill(level),
  width: size,
  height: size,
  channels
})

/** Mean of the first channel of page `page` of an animated file. */
async function pageMean(file: string, page: number): Promise<number> {
  const stats = await sharp(file, { page }).stats()
  return stats.channels[0].mean
}

describe('writeAnimation', () => {
  it('writes a GIF with the asked frames, size, loop and delay, frames in order, duplicates kept', async () => {
    const dir = tempDir()
    const file = join(dir, 'sub', 'morph.gif')
    const levels = [0, 40, 40, 120, 200, 255]
    const written = await writeAnimation(
      levels.map((l) => flat(l)),
      file,
      { delay: 80, loop: 0 }
    )
    expect(written).toMatchObject({ format: 'gif', frames: 6, width: 16, height: 16 })
    const meta = await sharp(file, { animated: true }).metadata()
    expect(meta.format).toBe('gif')
    expect(meta.pages).toBe(6)
    expect(meta.width).toBe(16)
    expect(meta.pageHeight).toBe(16)
    expect(meta.loop).toBe(0)
    expect(meta.delay).toEqual([80, 80, 80, 80, 80, 80])
    for (const [i, level] of levels.entries()) expect(await pageMean(file, i)).toBeCloseTo(level, -1)
    // No temporary file left beside it.
    expect(readdirSync(join(dir, 'sub'))).toEqual(['morph.gif'])
  })

  it('honours a finite loop count and writes greyscale frames', async () => {
    const file = join(tempDir(), 'grey.gif')
    await writeAnimation([flat(10, 8, 1), flat(250, 8, 1)], file, { delay: 150, loop: 3 })
    const meta = await sharp(file, { animated: true }).metadata()
    expect(meta.pages).toBe(2)
    expect(meta.loop).toBe(3)
    expect(meta.delay).toEqual([150, 150])
    expect(await pageMean(file, 1)).toBeCloseTo(250, -1)
  })

  it('writes an animated WebP losslessly; its encoder merges repeated frames but keeps the timing', async () => {
    const dir = tempDir()
    const file = join(dir, 'morph.webp')
    const levels = [0, 50, 100, 150]
    await writeAnimation(
      levels.map((l) => flat(l)),
      file,
      { delay: 60, loop: 2 }
    )
    const meta = await sharp(file, { animated: true }).metadata()
    expect(meta.format).toBe('webp')
    expect(meta.pages).toBe(4)
    expect(meta.loop).toBe(2)
    expect(meta.delay).toEqual([60, 60, 60, 60])
    for (const [i, level] of levels.entries()) expect(await pageMean(file, i)).toBe(level)
    const repeated = join(dir, 'repeated.webp')
    await writeAnimation([flat(0), flat(50), flat(50), flat(100)], repeated, { delay: 60, loop: 0 })
    const m2 = await sharp(repeated, { animated: true }).metadata()
    expect(m2.delay!.reduce((a, b) => a + b)).toBe(240)
  })

  it('writes a PNG strip with the frames left to right', async () => {
    const file = join(tempDir(), 'strip.png')
    const written = await writeAnimation([flat(0), flat(100), flat(200)], file, { delay: 80, loop: 0 })
    expect(written).toMatchObject({ format: 'png', frames: 3, width: 48, height: 16 })
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true })
    expect([info.width, info.height]).toEqual([48, 16])
    expect([0, 20, 40].map((x) => data[(8 * info.width + x) * info.channels])).toEqual([0, 100, 200])
  })

  it('refuses an unknown extension in plain words and leaves an existing file alone on failure', async () => {
    const dir = tempDir()
    expect(() => animationFormat(join(dir, 'x.mp4'))).toThrow(/name it \.gif, \.webp or \.png/)
    await expect(writeAnimation([flat(1)], join(dir, 'x.bmp'), { delay: 80, loop: 0 })).rejects.toThrow(
      /\.gif/
    )
    const keep = join(dir, 'keep.gif')
    writeFileSync(keep, 'old')
    const bad: RawImage = { data: new Uint8Array(3), width: 16, height: 16, channels: 3 }
    await expect(writeAnimation([flat(1), bad], keep, { delay: 80, loop: 0 })).rejects.toThrow()
    expect(readdirSync(dir)).toEqual(['keep.gif'])
    expect(existsSync(keep)).toBe(true)
  })
})

describe('grids and frames', () => {
  it('composes rows of cells at known offsets with gaps', async () => {
    const rows = [
      [flat(10, 4), flat(20, 4), flat(30, 4)],
      [flat(40, 4), flat(50, 4)]
    ]
    const { image, geometry } = composeGrid(rows, { gap: 1, background: 0 })
    expect(geometry).toEqual(gridGeometry(2, 3, 4, 1))
    expect([image.width, image.height]).toEqual([3 * 4 + 4, 2 * 4 + 3])
    const at = (x: number, y: number) => image.data[(y * image.width + x) * 3]
    expect(at(1, 1)).toBe(10)
    expect(at(6, 1)).toBe(20)
    expect(at(11, 4)).toBe(30)
    expect(at(1, 6)).toBe(40)
    expect(at(11, 6)).toBe(0) // missing cell: background
    expect(at(0, 0)).toBe(0) // gap
    const file = join(tempDir(), 'grid.png')
    await writePng(image, file)
    const meta = await sharp(file).metadata()
    expect([meta.width, meta.height]).toEqual([16, 11])
    expect(() => composeGrid([[flat(1, 4), flat(1, 5)]])).toThrow(/same size/)
  })

  it('turns model pixels into clamped 8-bit images and scales them', async () => {
    const [a, b] = toRawImages([0, 0.5, 1.2, -0.1, 1, 0.25, 0.75, 0], 2, 2, 1)
    expect([...a.data]).toEqual([0, 128, 255, 0])
    expect([...b.data]).toEqual([255, 64, 191, 0])
    expect(() => toRawImages([0, 1], 2, 2, 1)).toThrow(/expected 8/)
    const big = await scaleImage(flat(77, 8, 1), 32, 'nearest')
    expect([big.width, big.height, big.channels, big.data.length]).toEqual([32, 32, 1, 1024])
    expect(big.data.every((x) => x === 77)).toBe(true)
    const url = await pngDataUrl(flat(5, 8, 3))
    expect(url.startsWith('data:image/png;base64,')).toBe(true)
    const meta = await sharp(Buffer.from(url.split(',')[1], 'base64')).metadata()
    expect([meta.width, meta.height]).toEqual([8, 8])
  })
})
