// Image fixtures made on the fly: good images in every format, and the hostile files a real folder holds.
import { spawnSync } from 'node:child_process'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { shapeSvg } from '../../src/main/imaging/synthetic'

export { shapeSvg }

export type Format = 'jpeg' | 'png' | 'webp' | 'tiff' | 'gif'

const hex = (n: number) => n.toString(16).padStart(2, '0')
export const rgb = (r: number, g: number, b: number) => `#${hex(r)}${hex(g)}${hex(b)}`

/** A plain image of one colour in the given format. */
export async function solidImage(
  format: Format,
  width: number,
  height: number,
  colour = '#3366cc'
): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .toFormat(format)
    .toBuffer()
}

export async function shapeImage(index: number, size: number, format: Format = 'png'): Promise<Buffer> {
  return sharp(Buffer.from(shapeSvg(index, size)))
    .toFormat(format, format === 'jpeg' ? { quality: 92 } : {})
    .toBuffer()
}

/** Writes `n` distinct shape images (`img-000.png`, ...) of `size`×`size` into `dir`; returns their paths. */
export async function makeImageFolder(
  dir: string,
  n: number,
  size = 32,
  format: Format = 'png'
): Promise<string[]> {
  mkdirSync(dir, { recursive: true })
  const ext = format === 'jpeg' ? 'jpg' : format
  const files: string[] = []
  for (let i = 0; i < n; i++) {
    const file = join(dir, `img-${String(i).padStart(3, '0')}.${ext}`)
    writeFileSync(file, await shapeImage(i, size, format))
    files.push(file)
  }
  return files
}

/**
 * A JPEG stored sideways with EXIF orientation 6 (display rotated 90° clockwise). Stored pixels: left half
 * red, right half blue, `width`×`height`; displayed upright it is `height`×`width` with red on top.
 */
export async function exifRotatedJpeg(width = 40, height = 20): Promise<Buffer> {
  const half = Math.floor(width / 2)
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="${half}" height="${height}" fill="#ff0000"/>
    <rect x="${half}" width="${width - half}" height="${height}" fill="#0000ff"/></svg>`
  return sharp(Buffer.from(svg)).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer()
}

/** A PNG that is fully transparent except an opaque square in the middle. */
export async function alphaPng(size = 32, colour = '#00ff00'): Promise<Buffer> {
  const q = size / 4
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
    <rect x="${q}" y="${q}" width="${2 * q}" height="${2 * q}" fill="${colour}"/></svg>`
  return sharp(Buffer.from(svg)).png().toBuffer()
}

export async function cmykJpeg(size = 32, colour = '#20a040'): Promise<Buffer> {
  return sharp({ create: { width: size, height: size, channels: 3, background: colour } })
    .toColourspace('cmyk')
    .jpeg()
    .toBuffer()
}

export async function png16(size = 32, colour = '#4080c0'): Promise<Buffer> {
  return sharp({ create: { width: size, height: size, channels: 3, background: colour } })
    .toColourspace('rgb16')
    .png()
    .toBuffer()
}

/** An uncompressed 16-bit RGB TIFF written by hand (sharp writes TIFFs at 8 bits only). */
export function tiff16(width = 16, height = 16, rgb16: [number, number, number] = [65535, 32768, 0]): Buffer {
  const pixelBytes = width * height * 3 * 2
  const dataOffset = 8
  const bpsOffset = dataOffset + pixelBytes
  const ifdOffset = bpsOffset + 6
  const tags: [number, number, number, number][] = [
    // tag, type (3 SHORT, 4 LONG), count, value/offset
    [256, 4, 1, width],
    [257, 4, 1, height],
    [258, 3, 3, bpsOffset],
    [259, 3, 1, 1],
    [262, 3, 1, 2],
    [273, 4, 1, dataOffset],
    [277, 3, 1, 3],
    [278, 4, 1, height],
    [279, 4, 1, pixelBytes],
    [284, 3, 1, 1]
  ]
  const buf = Buffer.alloc(ifdOffset + 2 + tags.length * 12 + 4)
  buf.write('II', 0, 'ascii')
  buf.writeUInt16LE(42, 2)
  buf.writeUInt32LE(ifdOffset, 4)
  for (let i = 0; i < width * height; i++)
    for (let c = 0; c < 3; c++) buf.writeUInt16LE(rgb16[c], dataOffset + (i * 3 + c) * 2)
  for (let c = 0; c < 3; c++) buf.writeUInt16LE(16, bpsOffset + c * 2)
  buf.writeUInt16LE(tags.length, ifdOffset)
  tags.forEach(([tag, type, count, value], i) => {
    const at = ifdOffset + 2 + i * 12
    buf.writeUInt16LE(tag, at)
    buf.writeUInt16LE(type, at + 2)
    buf.writeUInt32LE(count, at + 4)
    if (type === 3 && count === 1) buf.writeUInt16LE(value, at + 8)
    else buf.writeUInt32LE(value, at + 8)
  })
  return buf
}

/** The first `fraction` of a real JPEG, as left by an interrupted copy. */
export async function truncatedJpeg(size = 64, fraction = 0.5): Promise<Buffer> {
  const full = await sharp(Buffer.from(shapeSvg(7, size)))
    .jpeg({ quality: 95 })
    .toBuffer()
  return full.subarray(0, Math.floor(full.length * fraction))
}

/**
 * A small JPEG whose frame header claims `width`×`height` pixels (default 20000×20000 = 400 MP): a few
 * hundred bytes on disk, but far over any sane decode limit.
 */
export async function hugeDimensionJpeg(width = 20000, height = 20000): Promise<Buffer> {
  const buf = Buffer.from(await solidImage('jpeg', 16, 16))
  for (let i = 2; i < buf.length - 8;) {
    if (buf[i] !== 0xff) throw new Error('unexpected JPEG structure')
    const marker = buf[i + 1]
    const len = buf.readUInt16BE(i + 2)
    if (marker >= 0xc0 && marker <= 0xc2) {
      buf.writeUInt16BE(height, i + 5)
      buf.writeUInt16BE(width, i + 7)
      return buf
    }
    i += 2 + len
  }
  throw new Error('no frame header found')
}

/** A Windows bitmap (a format this build of sharp cannot read) of one colour, written by hand. */
export function bmp(width = 4, height = 4): Buffer {
  const row = Math.ceil((width * 3) / 4) * 4
  const buf = Buffer.alloc(54 + row * height, 0x80)
  buf.write('BM', 0, 'ascii')
  buf.writeUInt32LE(buf.length, 2)
  buf.writeUInt32LE(54, 10)
  buf.writeUInt32LE(40, 14)
  buf.writeInt32LE(width, 18)
  buf.writeInt32LE(height, 22)
  buf.writeUInt16LE(1, 26)
  buf.writeUInt16LE(24, 28)
  buf.writeUInt32LE(0, 30)
  buf.writeUInt32LE(row * height, 34)
  return buf
}

/** What `hostileFolder` wrote and what an import is expected to make of it. */
export interface HostileFolder {
  dir: string
  /** Relative paths expected to import as images. */
  good: string[]
  /** Relative paths that are byte-for-byte copies of a good file. */
  duplicates: string[]
  /** Relative path → expected reason. */
  bad: Record<string, string>
  /** Relative paths that must be ignored without a word. */
  ignored: string[]
}

/**
 * A messy folder like a real user's: every format, EXIF rotation, alpha, CMYK, 16-bit, a copy, a half-copied
 * JPEG, an empty file, text named .jpg, a 400 MP header, a BMP, hidden and system files, a named pipe, a
 * symlink loop and a broken link.
 */
export async function hostileFolder(dir: string): Promise<HostileFolder> {
  const w = (rel: string, data: Buffer | string) => {
    mkdirSync(join(dir, rel, '..'), { recursive: true })
    writeFileSync(join(dir, rel), data)
  }
  const goodJpeg = await shapeImage(1, 48, 'jpeg')
  w('a.jpg', goodJpeg)
  w('b.png', await shapeImage(2, 40, 'png'))
  w('c.webp', await shapeImage(3, 36, 'webp'))
  w('sub/d.tiff', await shapeImage(4, 32, 'tiff'))
  w('sub/e.gif', await shapeImage(5, 32, 'gif'))
  w('rotated.jpg', await exifRotatedJpeg())
  w('alpha.png', await alphaPng())
  w('cmyk.jpg', await cmykJpeg())
  w('deep16.png', await png16())
  w('deep16.tif', tiff16())
  w('sub/deeper/copy-of-a.jpg', goodJpeg)
  w('truncated.jpg', await truncatedJpeg())
  w('empty.png', Buffer.alloc(0))
  w('notes.jpg', 'These are my holiday notes, not a picture.\n')
  w('panorama.jpg', await hugeDimensionJpeg())
  w('old.bmp', bmp())
  w('.DS_Store', Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]))
  w('.hidden.jpg', goodJpeg)
  w('.git/config', '[core]\n')
  w('Thumbs.db', Buffer.alloc(64, 7))
  w('desktop.ini', '[.ShellClassInfo]\n')
  // A named pipe: reading it would block forever, so the scan must never open it.
  const fifo = spawnSync('mkfifo', [join(dir, 'pipe.jpg')]).status === 0
  symlinkSync('..', join(dir, 'sub', 'loop'))
  symlinkSync(join(dir, 'missing.jpg'), join(dir, 'broken-link.jpg'))
  return {
    dir,
    good: [
      'a.jpg',
      'alpha.png',
      'b.png',
      'c.webp',
      'cmyk.jpg',
      'deep16.png',
      'deep16.tif',
      'rotated.jpg',
      'sub/d.tiff',
      'sub/e.gif'
    ],
    duplicates: ['sub/deeper/copy-of-a.jpg'],
    bad: {
      'truncated.jpg': 'truncated or corrupt JPEG',
      'empty.png': 'empty file',
      'notes.jpg': 'not an image',
      'panorama.jpg': 'too large: 400 MP over the 50 MP limit',
      'old.bmp': 'unsupported format: BMP',
      'broken-link.jpg': 'broken link'
    },
    ignored: [
      '.DS_Store',
      '.hidden.jpg',
      '.git/config',
      'Thumbs.db',
      'desktop.ini',
      ...(fifo ? ['pipe.jpg'] : [])
    ]
  }
}

/**
 * 32×32 grey PNGs a barely trained model already tells apart: even ones dark with a bright square, odd ones
 * bright with a dark square, the square moving with the index. Named img-00.png, img-01.png, ...
 */
export async function makeSquareImages(dir: string, n: number): Promise<string[]> {
  mkdirSync(dir, { recursive: true })
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const px = new Uint8Array(32 * 32).fill(i % 2 ? 220 : 30)
    const at = 2 + ((i * 5) % 16)
    for (let y = at; y < at + 12; y++) px.fill(i % 2 ? 40 : 240, y * 32 + at, y * 32 + at + 12)
    const file = join(dir, `img-${String(i).padStart(2, '0')}.png`)
    await sharp(px, { raw: { width: 32, height: 32, channels: 1 } })
      .png()
      .toFile(file)
    out.push(file)
  }
  return out
}
