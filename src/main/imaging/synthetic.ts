// Synthetic images for the import benchmark and for tests: cheap to make, all different, easy to learn.

const hex = (n: number) => n.toString(16).padStart(2, '0')

/**
 * Image `index` of a simple, learnable family, as SVG: a coloured disc on a vertical gradient, with position,
 * radius and colours varying smoothly with the index, so no two are alike but an autoencoder can learn them.
 */
export function shapeSvg(index: number, width: number, height = width): string {
  const t = index * 0.6180339887
  const frac = (x: number) => x - Math.floor(x)
  const cx = Math.round(width * (0.25 + 0.5 * frac(t)))
  const cy = Math.round(height * (0.25 + 0.5 * frac(t * 1.7 + 0.3)))
  const r = Math.round(Math.min(width, height) * (0.12 + 0.15 * frac(t * 2.3 + 0.1)))
  const hue = Math.round(360 * frac(t * 0.9))
  const top = `#${hex(30 + ((index * 37) % 90))}${hex(30 + ((index * 53) % 90))}${hex(60 + ((index * 71) % 120))}`
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="#101010"/></linearGradient></defs>
    <rect width="${width}" height="${height}" fill="url(#g)"/>
    <circle cx="${cx}" cy="${cy}" r="${r}" fill="hsl(${hue}, 80%, 60%)"/>
  </svg>`
}
