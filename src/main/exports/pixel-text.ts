import type { RawImage } from './raw-image'

/**
 * A 3×5 bitmap font for the few labels frames carry ("latent 16"): drawn pixel by pixel, so it needs no system
 * fonts and looks the same on every machine. Each glyph is five rows of three bits, top row first.
 */
const GLYPHS: Record<string, readonly string[]> = {
  '0': ['111', '101', '101', '101', '111'],
  '1': ['010', '110', '010', '010', '111'],
  '2': ['111', '001', '111', '100', '111'],
  '3': ['111', '001', '111', '001', '111'],
  '4': ['101', '101', '111', '001', '001'],
  '5': ['111', '100', '111', '001', '111'],
  '6': ['111', '100', '111', '101', '111'],
  '7': ['111', '001', '001', '010', '010'],
  '8': ['111', '101', '111', '101', '111'],
  '9': ['111', '101', '111', '001', '111'],
  a: ['000', '011', '101', '101', '011'],
  e: ['000', '111', '111', '100', '111'],
  l: ['100', '100', '100', '100', '110'],
  n: ['000', '110', '101', '101', '101'],
  t: ['010', '111', '010', '010', '011'],
  ' ': ['000', '000', '000', '000', '000']
}

/** Width in font pixels of `text` (a one-pixel gap between glyphs). */
export const textWidth = (text: string) => Math.max(0, text.length * 4 - 1)

/**
 * The image with a band above it holding `text` in light pixels on the dark background, each font pixel
 * `scale`×`scale` image pixels (fewer if the text would not fit). Characters the font lacks are refused rather than silently dropped.
 */
export function withLabel(
  image: RawImage,
  text: string,
  scale: number,
  background = 24,
  ink = 235
): RawImage {
  for (const ch of text) if (!GLYPHS[ch]) throw new Error(`the label font has no "${ch}"`)
  const { width, channels } = image
  // Smaller than asked when a narrow image needs it; one pixel per font pixel at the least.
  const fit = Math.floor(width / (textWidth(text) + 2))
  if (fit < 1) throw new Error(`"${text}" does not fit in ${width} pixels`)
  scale = Math.min(scale, fit)
  const pad = scale
  const band = 5 * scale + 2 * pad
  const data = new Uint8Array(width * (image.height + band) * channels).fill(background)
  data.set(image.data, width * band * channels)
  ;[...text].forEach((ch, i) =>
    GLYPHS[ch].forEach((row, gy) =>
      [...row].forEach((bit, gx) => {
        if (bit !== '1') return
        const x0 = pad + (i * 4 + gx) * scale
        const y0 = pad + gy * scale
        for (let y = y0; y < y0 + scale; y++)
          data.fill(ink, (y * width + x0) * channels, (y * width + x0 + scale) * channels)
      })
    )
  )
  return { data, width, height: image.height + band, channels }
}
