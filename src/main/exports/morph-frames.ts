import type { Autoencoder } from '../../engine/autoencoder'
import { morphCodes, pingPong, type Code, type Interp } from '../../engine/latent/interp'
import { decodeCodes } from '../../engine/model-ops'
import { scaleImage, type RawImage } from './raw-image'

export interface MorphFramesOptions {
  /** Frames from the first keyframe to the last. */
  frames: number
  /** Output width and height in pixels. */
  size: number
  interp: Interp
  /** Play back to the start (2·frames − 2 frames in all). */
  pingpong: boolean
  onProgress?(done: number, total: number): void
}

/**
 * The frames of a morph through the keyframes' codes: decoded at the model's size, then scaled to `size`.
 * The way back of a ping-pong reuses the decoded frames instead of decoding them again.
 */
export async function morphFrames(
  model: Autoencoder,
  keys: readonly Code[],
  o: MorphFramesOptions
): Promise<RawImage[]> {
  const codes = morphCodes(keys, { frames: o.frames, interp: o.interp })
  // Progress counts decoded frames and scaled frames alike: decoding is one step per frame, scaling another.
  const total = codes.length * 2
  o.onProgress?.(0, total)
  const decoded = await decodeCodes(model, codes)
  o.onProgress?.(codes.length, total)
  const scaled: RawImage[] = []
  for (const img of decoded) {
    scaled.push(await scaleImage(img, o.size))
    o.onProgress?.(codes.length + scaled.length, total)
  }
  return o.pingpong ? pingPong(scaled) : scaled
}
