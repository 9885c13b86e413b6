import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import {
  DecodeError,
  decodeForModel,
  decodeUpright,
  DEFAULT_LIMITS,
  preprocess,
  type Preprocessing
} from '../../src/main/imaging/decode'
import { sniff } from '../../src/main/imaging/sniff'
import { chooseValidation } from '../../src/main/imaging/split'
import {
  alphaPng,
  bmp,
  cmykJpeg,
  exifRotatedJpeg,
  hugeDimensionJpeg,
  png16,
  solidImage,
  tiff16,
  truncatedJpeg
} from '../helpers/images'
import { tempDir } from '../helpers/tmp'

const rgb16: Preprocessing = { size: 16, channels: 3, fit: 'cover' }
const px = (p: Uint8Array, size: number, x: number, y: number) => {
  const i = (y * size + x) * 3
  return [p[i], p[i + 1], p[i + 2]]
}
const near = (got: number[], want: number[], tol = 12) =>
  expect(
    got.every((g, i) => Math.abs(g - want[i]) <= tol),
    `${got} ≈ ${want}`
  ).toBe(true)
const reasonOf = async (input: Buffer, limits = DEFAULT_LIMITS) => {
  try {
    await preprocess(input, rgb16, limits)
    return 'decoded'
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError)
    return (err as DecodeError).reason
  }
}

describe('preprocess', () => {
  it('applies EXIF orientation before cropping', async () => {
    // Stored 40×20 left red / right blue with orientation 6: upright it is 20×40 with red on top.
    const d = await preprocess(await exifRotatedJpeg(40, 20), rgb16)
    expect([d.width, d.height]).toEqual([20, 40])
    near(px(d.pixels, 16, 13, 2), [255, 0, 0], 40) // top right: red only if rotated
    near(px(d.pixels, 16, 2, 13), [0, 0, 255], 40) // bottom left: blue only if rotated
  })

  it('flattens alpha onto white', async () => {
    const d = await preprocess(await alphaPng(32), rgb16)
    near(px(d.pixels, 16, 0, 0), [255, 255, 255], 2)
    near(px(d.pixels, 16, 8, 8), [0, 255, 0], 2)
  })

  it('converts CMYK, 16-bit PNG and 16-bit TIFF to 8-bit sRGB', async () => {
    near(
      px((await preprocess(await cmykJpeg(32, '#20a040'), rgb16)).pixels, 16, 8, 8),
      [0x20, 0xa0, 0x40],
      25
    )
    near(px((await preprocess(await png16(32, '#4080c0'), rgb16)).pixels, 16, 8, 8), [0x40, 0x80, 0xc0], 2)
    near(px((await preprocess(tiff16(16, 16, [65535, 32768, 0]), rgb16)).pixels, 16, 8, 8), [255, 128, 0], 2)
  })

  it('outputs exactly size×size×channels, grey when asked', async () => {
    const input = await solidImage('png', 50, 30, '#4080c0')
    const rgb = await preprocess(input, { size: 24, channels: 3, fit: 'cover' })
    expect(rgb.pixels.length).toBe(24 * 24 * 3)
    const grey = await preprocess(input, { size: 24, channels: 1, fit: 'cover' })
    expect(grey.pixels.length).toBe(24 * 24)
    expect(new Set(grey.pixels).size).toBe(1)
    expect(grey.pixels[0]).toBeGreaterThan(90)
    expect(grey.pixels[0]).toBeLessThan(150)
  })

  it('letterboxes with contain and crops with cover', async () => {
    const wide = await solidImage('png', 40, 20, '#000000')
    const contain = (await preprocess(wide, { size: 16, channels: 3, fit: 'contain' })).pixels
    near(px(contain, 16, 8, 0), [255, 255, 255], 2) // white band above
    near(px(contain, 16, 8, 8), [0, 0, 0], 2)
    const cover = (await preprocess(wide, { size: 16, channels: 3, fit: 'cover' })).pixels
    near(px(cover, 16, 8, 0), [0, 0, 0], 2)
  })

  it('attention keeps an off-centre subject that a centre crop cuts off', async () => {
    // A flat grey strip with a busy red/white checkerboard at its right end.
    const cells = Array.from({ length: 64 }, (_, i) =>
      (Math.floor(i / 8) + i) % 2
        ? `<rect x="${120 + (i % 8) * 5}" y="${Math.floor(i / 8) * 5}" width="5" height="5" fill="#ff0000"/>`
        : ''
    ).join('')
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40">
      <rect width="160" height="40" fill="#808080"/><rect x="120" width="40" height="40" fill="#ffffff"/>${cells}</svg>`
    const input = await sharp(Buffer.from(svg)).png().toBuffer()
    const redness = (p: Uint8Array) => {
      let n = 0
      for (let i = 0; i < p.length; i += 3) if (p[i] > 200 && p[i + 1] < 80) n++
      return n
    }
    expect(redness((await preprocess(input, { size: 16, channels: 3, fit: 'cover' })).pixels)).toBe(0)
    expect(
      redness((await preprocess(input, { size: 16, channels: 3, fit: 'attention' })).pixels)
    ).toBeGreaterThan(20)
  })

  it('names what is wrong with a bad file in plain words', async () => {
    expect(await reasonOf(Buffer.alloc(0))).toBe('empty file')
    expect(await reasonOf(Buffer.from('hello, not a picture'))).toBe('not an image')
    expect(await reasonOf(await truncatedJpeg())).toBe('truncated or corrupt JPEG')
    expect(await reasonOf(await hugeDimensionJpeg())).toBe('too large: 400 MP over the 50 MP limit')
    expect(await reasonOf(bmp())).toBe('unsupported format: BMP')
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic'), Buffer.alloc(40)])
    expect(await reasonOf(heic)).toBe('unsupported format: HEIC')
    const png = await solidImage('png', 8, 8)
    expect(await reasonOf(Buffer.concat([png.subarray(0, 40), Buffer.alloc(30, 0xee)]))).toBe(
      'truncated or corrupt PNG'
    )
    // The limits are options: a 64×64 image is over a 0.004 MP limit, a 1 kB file over a 100-byte one.
    const small = await solidImage('jpeg', 64, 64)
    expect(await reasonOf(small, { ...DEFAULT_LIMITS, maxPixels: 4000 })).toBe(
      'too large: 0.0041 MP over the 0.004 MP limit'
    )
    expect(await reasonOf(small, { ...DEFAULT_LIMITS, maxFileBytes: 100 })).toMatch(/^too large: /)
    // The per-file time bound, made tiny so that a 3000×3000 PNG cannot meet it.
    const big = await sharp({
      create: {
        width: 3000,
        height: 3000,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 50 }
      }
    })
      .png({ compressionLevel: 0 })
      .toBuffer()
    expect(await reasonOf(big, { ...DEFAULT_LIMITS, timeoutSeconds: 0.001 })).toBe(
      'took longer than 0.001 s to decode'
    )
  })
})

describe('decodeUpright (full resolution, for face alignment)', () => {
  it('keeps every pixel, upright and flattened, and gives the plain import its reasons', async () => {
    const d = await decodeUpright(await exifRotatedJpeg(40, 20))
    expect([d.width, d.height, d.channels, d.format]).toEqual([20, 40, 3, 'JPEG'])
    expect(d.data.length).toBe(20 * 40 * 3)
    near(Array.from(d.data.subarray(0, 3)), [255, 0, 0], 40) // top row red: rotated before decoding
    near(Array.from(d.data.subarray(d.data.length - 3)), [0, 0, 255], 40)
    const flat = await decodeUpright(await alphaPng(32))
    near(Array.from(flat.data.subarray(0, 3)), [255, 255, 255], 2)
    const grey = await decodeUpright(await solidImage('png', 10, 6, '#ff0000'), DEFAULT_LIMITS, 1)
    expect([grey.channels, grey.data.length]).toEqual([1, 60])
    const reason = (input: Buffer, limits = DEFAULT_LIMITS) =>
      decodeUpright(input, limits).then(
        () => 'decoded',
        (err: DecodeError) => err.reason
      )
    expect(await reason(Buffer.alloc(0))).toBe('empty file')
    expect(await reason(await truncatedJpeg())).toBe('truncated or corrupt JPEG')
    expect(await reason(await hugeDimensionJpeg())).toBe('too large: 400 MP over the 50 MP limit')
    expect(await reason(bmp())).toBe('unsupported format: BMP')
    expect(await reason(await solidImage('jpeg', 64, 64), { ...DEFAULT_LIMITS, maxPixels: 4000 })).toBe(
      'too large: 0.0041 MP over the 0.004 MP limit'
    )
  })

  it('leaves face crops to findFaces: preprocess refuses fit faces', async () => {
    await expect(
      preprocess(await solidImage('png', 8, 8), { size: 8, channels: 3, fit: 'faces' })
    ).rejects.toThrow('preprocess cannot crop faces')
  })
})

describe('sniff', () => {
  it('goes by content, not extension', async () => {
    expect(sniff(await solidImage('webp', 8, 8))).toEqual({ kind: 'image', format: 'WebP' })
    expect(sniff(await solidImage('gif', 8, 8))).toEqual({ kind: 'image', format: 'GIF' })
    expect(sniff(await solidImage('tiff', 8, 8))).toEqual({ kind: 'image', format: 'TIFF' })
    expect(sniff(Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'))).toEqual({
      kind: 'image',
      format: 'SVG'
    })
    expect(sniff(Buffer.from('%PDF-1.7\n'))).toEqual({ kind: 'unsupported', format: 'PDF' })
    expect(sniff(Buffer.from('{"json": true}'))).toEqual({ kind: 'unknown' })
  })
})

describe('decodeForModel', () => {
  it('returns model input for a file and a plain error for a bad one', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'ok.png'), await solidImage('png', 20, 20, '#ff0000'))
    writeFileSync(join(dir, 'bad.jpg'), 'nope')
    const p = await decodeForModel(join(dir, 'ok.png'), { size: 8, channels: 3, fit: 'cover' })
    expect(p.length).toBe(8 * 8 * 3)
    near([p[0], p[1], p[2]], [255, 0, 0], 2)
    await expect(decodeForModel(join(dir, 'bad.jpg'), rgb16)).rejects.toThrow('bad.jpg: not an image.')
    await expect(decodeForModel(join(dir, 'missing.png'), rgb16)).rejects.toMatchObject({ code: 'not_found' })
  })
})

describe('chooseValidation', () => {
  const hashes = Array.from({ length: 50 }, (_, i) => `h${i}`)
  it('is seeded, exact in size and stable when images are added', () => {
    const a = chooseValidation(hashes, 1, 0.2)
    expect(a.size).toBe(10)
    expect(chooseValidation(hashes, 1, 0.2)).toEqual(a)
    expect(chooseValidation(hashes, 2, 0.2)).not.toEqual(a)
    const grown = chooseValidation([...hashes, 'new1', 'new2'], 1, 0.2)
    expect([...a].filter((h) => grown.has(h)).length).toBeGreaterThanOrEqual(9)
    expect(chooseValidation(['x', 'y'], 1, 0.1).size).toBe(1)
    expect(chooseValidation(['x'], 1, 0.5).size).toBe(0)
    expect(chooseValidation(hashes, 1, 0).size).toBe(0)
  })
})
