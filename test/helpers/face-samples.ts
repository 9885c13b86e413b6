import { join } from 'node:path'
import { ROOT } from './cli'

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
