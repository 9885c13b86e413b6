import sharp from 'sharp'
import { BACKGROUND, type RawImage } from '../decode'
import { apply, invert, scaleOf, type Similarity } from './geometry'

export type { RawImage }

/** libvips rounds halves away from zero (VIPS_ROUND_INT) when it sizes an affine's output. */
const roundInt = (v: number) => (v > 0 ? Math.floor(v + 0.5) : Math.ceil(v - 0.5))

/** Pixels of the source the bicubic stencil may reach past the corners we map, in the resized image. */
const STENCIL = 3

/**
 * Renders the size×size image `t` maps the source onto (`t`: source → output coordinates, see geometry.ts),
 * with libvips doing all the resampling: the part of the source the output needs is cut out and shrunk with
 * Lanczos-3 to about the output's scale (an affine's bicubic alone would alias a large shrink), then turned and
 * fine-scaled by an affine with bicubic interpolation. Output pixels beyond the source are BACKGROUND.
 */
export async function warp(src: RawImage, t: Similarity, size: number, channels: 1 | 3): Promise<Uint8Array> {
  const { r, g, b } = BACKGROUND
  const fill = channels === 1 ? [Math.round(0.2126 * r + 0.7152 * g + 0.0722 * b)] : [r, g, b]
  const out = new Uint8Array(size * size * channels)
  for (let i = 0; i < out.length; i++) out[i] = fill[i % channels]
  const inv = invert(t)
  const scale = scaleOf(t)
  // The source area behind the output square, padded for the resampling kernels, clipped to the image.
  const corners = [
    [0, 0],
    [size, 0],
    [0, size],
    [size, size]
  ].map(([x, y]) => apply(inv, { x, y }))
  const pad = (STENCIL + 1) / Math.min(1, scale)
  const left = Math.max(0, Math.floor(Math.min(...corners.map((p) => p.x)) - pad))
  const top = Math.max(0, Math.floor(Math.min(...corners.map((p) => p.y)) - pad))
  const right = Math.min(src.width, Math.ceil(Math.max(...corners.map((p) => p.x)) + pad))
  const bottom = Math.min(src.height, Math.ceil(Math.max(...corners.map((p) => p.y)) + pad))
  if (right <= left || bottom <= top) return out
  const rw = right - left
  const rh = bottom - top
  // Shrink (never enlarge: the affine's bicubic does that well) to the nearest whole size at the output scale.
  const k = Math.min(1, scale)
  const w = Math.max(1, Math.round(rw * k))
  const h = Math.max(1, Math.round(rh * k))
  const kx = w / rw
  const ky = h / rh
  // In continuous coordinates the cut and the resize are p = (left, top) + q / (kx, ky); what is left of `t`
  // for the affine is u = M·q + c.
  const m = [t.a / kx, -t.b / ky, t.b / kx, t.a / ky] as const
  const c = apply(t, { x: left, y: top })
  // libvips' affine works on pixel indices (a pixel's index is its centre minus ½), so shift by ½ either side.
  const odx = m[0] * 0.5 + m[1] * 0.5 + c.x - 0.5
  const ody = m[2] * 0.5 + m[3] * 0.5 + c.y - 0.5
  let img = sharp(src.data, {
    raw: { width: src.width, height: src.height, channels: src.channels }
  }).extract({
    left,
    top,
    width: rw,
    height: rh
  })
  if (w !== rw || h !== rh) img = img.resize(w, h, { fit: 'fill', kernel: 'lanczos3' })
  const { data, info } = await img
    .affine([m[0], m[1], m[2], m[3]], {
      odx,
      ody,
      interpolator: 'bicubic',
      background: { ...BACKGROUND, alpha: 1 }
    })
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
  if (info.channels !== channels) throw new Error(`warp produced ${info.channels} channels, not ${channels}`)
  // The affine's output covers the bounding box of the resized cut under M (offsets aside), whose top-left
  // corner libvips rounds to whole pixels: output index (X, Y) there is index (X + ox, Y + oy) in ours.
  const xs = [0, w * m[0], h * m[1], w * m[0] + h * m[1]]
  const ys = [0, w * m[2], h * m[3], w * m[2] + h * m[3]]
  const ox = roundInt(Math.min(...xs))
  const oy = roundInt(Math.min(...ys))
  for (let y = 0; y < size; y++) {
    const sy = y - oy
    if (sy < 0 || sy >= info.height) continue
    const x0 = Math.max(0, ox)
    const x1 = Math.min(size, ox + info.width)
    if (x1 <= x0) continue
    const from = (sy * info.width + (x0 - ox)) * channels
    out.set(data.subarray(from, from + (x1 - x0) * channels), (y * size + x0) * channels)
  }
  return out
}
