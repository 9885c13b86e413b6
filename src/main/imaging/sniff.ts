/** What the first bytes of a file say it is. */
export type Sniffed =
  { kind: 'image'; format: string } | { kind: 'unsupported'; format: string } | { kind: 'unknown' }

/** Bytes to read for `sniff`. */
export const SNIFF_BYTES = 512

const ascii = (b: Buffer, at: number, len: number) => b.toString('latin1', at, at + len)
const starts = (b: Buffer, ...bytes: number[]) => bytes.every((x, i) => b[i] === x)

/**
 * Recognises formats by their signature, not their extension: the ones sharp decodes, and common ones it does
 * not (so the user hears "unsupported format: HEIC" rather than "not an image"). Anything else is unknown and
 * never handed to the decoder.
 */
export function sniff(head: Buffer): Sniffed {
  if (starts(head, 0xff, 0xd8, 0xff)) return { kind: 'image', format: 'JPEG' }
  if (starts(head, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return { kind: 'image', format: 'PNG' }
  if (ascii(head, 0, 4) === 'GIF8') return { kind: 'image', format: 'GIF' }
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') return { kind: 'image', format: 'WebP' }
  if (ascii(head, 0, 4) === 'II*\0' || ascii(head, 0, 4) === 'MM\0*') return { kind: 'image', format: 'TIFF' }
  if (ascii(head, 4, 4) === 'ftyp') {
    const brand = ascii(head, 8, 4)
    if (brand === 'avif' || brand === 'avis') return { kind: 'image', format: 'AVIF' }
    if (/^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(brand))
      return { kind: 'unsupported', format: 'HEIC' }
    return { kind: 'unknown' }
  }
  const text = ascii(head, 0, head.length).trimStart()
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(text))
    return { kind: 'image', format: 'SVG' }
  if (ascii(head, 0, 2) === 'BM') return { kind: 'unsupported', format: 'BMP' }
  if (ascii(head, 0, 4) === '8BPS') return { kind: 'unsupported', format: 'Photoshop (PSD)' }
  if (ascii(head, 0, 5) === '%PDF-') return { kind: 'unsupported', format: 'PDF' }
  if (starts(head, 0, 0, 1, 0)) return { kind: 'unsupported', format: 'Windows icon (ICO)' }
  if (starts(head, 0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50)) return { kind: 'unsupported', format: 'JPEG 2000' }
  if (starts(head, 0xff, 0x0a) || ascii(head, 4, 8) === 'JXL \r\n\x87\n')
    return { kind: 'unsupported', format: 'JPEG XL' }
  return { kind: 'unknown' }
}
