import { sha256 } from '../util/hash'
import { closeSync, openSync, readSync } from 'node:fs'
import type { Preprocessing } from './decode'

export const bytesPerImage = ({ size, channels }: Pick<Preprocessing, 'size' | 'channels'>) =>
  size * size * channels

/**
 * Name of a dataset's packed pixel file. It is derived from the settings and the ordered content hashes of the
 * images in it, so the database rows alone say which file belongs to them: a new file can be written next to
 * the old one before the rows are committed, and a crash in between leaves the old rows with their old file.
 */
export function pixelFileName(p: Preprocessing, slotHashes: readonly string[]): string {
  const digest = sha256(slotHashes.join('\n')).slice(0, 20)
  const faces = p.fit === 'faces' && p.faces ? `-${p.faces.perImage}-m${p.faces.margin}` : ''
  return `pixels-${p.size}x${p.size}x${p.channels}-${p.fit}${faces}-${digest}.bin`
}

export const thumbName = (sha256: string) => `${sha256}.webp`

/** Reads images `slots` (in that order) of a packed pixel file into one contiguous array. */
export function readSlots(file: string, slots: readonly number[], bytesPer: number): Uint8Array {
  const out = new Uint8Array(slots.length * bytesPer)
  if (slots.length === 0) return out
  const fd = openSync(file, 'r')
  try {
    slots.forEach((slot, i) => {
      const n = readSync(fd, out, i * bytesPer, bytesPer, slot * bytesPer)
      if (n !== bytesPer) throw new Error(`${file} is shorter than expected (image ${slot} incomplete).`)
    })
  } finally {
    closeSync(fd)
  }
  return out
}
