import { describe, expect, it } from 'vitest'
import { textWidth, withLabel } from '../../src/main/exports/pixel-text'

const grey = (width: number, height: number, value: number) => ({
  data: new Uint8Array(width * height).fill(value),
  width,
  height,
  channels: 1 as const
})

/** The band's rows as strings: '#' for ink, '.' for background. */
const band = (img: { data: Uint8Array; width: number }, rows: number) =>
  Array.from({ length: rows }, (_, y) =>
    Array.from(img.data.subarray(y * img.width, (y + 1) * img.width), (v) => (v === 235 ? '#' : '.')).join('')
  )

describe('frame labels in a bitmap font', () => {
  it('draws the glyphs pixel for pixel in a band above the image, which stays as it was', () => {
    const img = grey(9, 3, 100)
    const out = withLabel(img, '18', 1)
    expect(out.height).toBe(3 + 7)
    expect(band(out, 7)).toEqual([
      '.........',
      '..#..###.',
      '.##..#.#.',
      '..#..###.',
      '..#..#.#.',
      '.###.###.',
      '.........'
    ])
    expect(Array.from(out.data.subarray(7 * 9))).toEqual(Array.from(img.data))
  })

  it('scales up, shrinks to fit a narrow image, and works on colour images', () => {
    expect(textWidth('latent 16')).toBe(35)
    expect(withLabel(grey(100, 4, 0), 'latent 16', 2).height).toBe(4 + 14)
    expect(withLabel(grey(40, 4, 0), 'latent 16', 2).height).toBe(4 + 7)
    const rgb = withLabel({ data: new Uint8Array(8 * 2 * 3), width: 8, height: 2, channels: 3 }, '7', 1)
    expect(rgb.data.length).toBe(8 * 9 * 3)
    expect(Array.from(rgb.data.subarray((1 * 8 + 1) * 3, (1 * 8 + 4) * 3))).toEqual(new Array(9).fill(235))
  })

  it('refuses characters it has no glyph for and text that cannot fit', () => {
    expect(() => withLabel(grey(40, 2, 0), 'latent?', 1)).toThrow(/no "\?"/)
    expect(() => withLabel(grey(10, 2, 0), 'latent 512', 1)).toThrow(/does not fit/)
  })
})
