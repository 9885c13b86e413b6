import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { ROOT } from './cli'
import { shapeImage } from './images'

/** The photos face-api ships in its package (1920 px wide group shots), usable after `npm ci`. */
export const SAMPLE_DIR = join(ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo')
export const samplePath = (n: number) => join(SAMPLE_DIR, `sample${n}.jpg`)

export type Smile = 'yes' | 'no' | 'unsure'

export interface SampleFace {
  /** The point between the eyes, in the photo's pixels (to match detections against). */
  mid: [number, number]
  /** Turned to the side: one eye shows. */
  profile?: boolean
  /** Smiling, as a person looking at the face calls it ('unsure': a faint or closed-lip half smile). */
  smile: Smile
}

/**
 * Every face in the six sample photos, counted by looking at the photos (downscaled to 1000 px; no faces
 * in the posters or paintings behind), left to right. The eye midpoints are those the ssd detector and the
 * 68-landmark net found, checked by drawing them on the photos.
 */
export const SAMPLE_FACES: Record<number, SampleFace[]> = {
  1: [
    { mid: [472, 455], smile: 'no' }, // clown make-up, lips closed
    { mid: [901, 533], smile: 'unsure' }, // eyes closed, faint smile
    { mid: [1586, 306], smile: 'yes' } // laughing, head tilted
  ],
  2: [
    { mid: [410, 253], profile: true, smile: 'no' }, // profile, biting a finger
    { mid: [990, 335], smile: 'no' }, // looking down, eyes closed
    { mid: [1520, 266], smile: 'unsure' } // looking down
  ],
  3: [
    { mid: [672, 430], smile: 'no' }, // pout
    { mid: [1160, 327], smile: 'yes' },
    { mid: [1605, 402], smile: 'yes' }
  ],
  4: [
    { mid: [357, 298], smile: 'unsure' },
    { mid: [741, 165], smile: 'no' },
    { mid: [1036, 281], smile: 'yes' },
    { mid: [1346, 246], smile: 'yes' } // laughing
  ],
  5: [
    { mid: [471, 982], smile: 'unsure' }, // talking
    { mid: [717, 513], smile: 'unsure' },
    { mid: [883, 196], smile: 'unsure' },
    { mid: [1185, 293], smile: 'yes' },
    { mid: [1474, 501], smile: 'unsure' }
  ],
  6: [
    { mid: [373, 598], smile: 'unsure' }, // closed-lip smile
    { mid: [743, 447], smile: 'yes' },
    { mid: [1277, 427], smile: 'no' }, // pout
    { mid: [1580, 381], smile: 'unsure' } // closed-lip smile
  ]
}

export const SAMPLES = [1, 2, 3, 4, 5, 6] as const

/** A gradient with shapes (a white disc with one dark "eye" among them): no face in it. */
export async function faceLessPhoto(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><defs><linearGradient id="g">
    <stop offset="0" stop-color="#2a6"/><stop offset="1" stop-color="#fc3"/></linearGradient></defs>
    <rect width="800" height="600" fill="url(#g)"/><circle cx="250" cy="250" r="120" fill="#fff"/>
    <circle cx="210" cy="220" r="15" fill="#000"/><rect x="480" y="300" width="200" height="140" fill="#36c"/>
    <ellipse cx="400" cy="520" rx="90" ry="30"/></svg>`
  return sharp(Buffer.from(svg)).png().toBuffer()
}

/**
 * A folder as a person drops it: sample photos `samples` (default 1–3: 9 faces, one of them a profile),
 * two images without a face (`gradient.png`, `shapes.png`), and `small.jpg`, sample 3 shrunk to 240 px wide
 * so its faces have too few pixels between the eyes.
 */
export async function faceFolder(dir: string, samples: readonly number[] = [1, 2, 3]): Promise<string> {
  mkdirSync(dir, { recursive: true })
  for (const n of samples) copyFileSync(samplePath(n), join(dir, `sample${n}.jpg`))
  writeFileSync(join(dir, 'gradient.png'), await faceLessPhoto())
  writeFileSync(join(dir, 'shapes.png'), await shapeImage(3, 320))
  writeFileSync(join(dir, 'small.jpg'), await sharp(samplePath(3)).resize(240).jpeg().toBuffer())
  return dir
}
