import {
  AUGMENT_GROUPS,
  augmentGroups,
  augmentIsOn,
  defaultAugmentFor,
  defaultBatchFor,
  NO_AUGMENT,
  type AugmentGroup,
  type AugmentOptions,
  type LrSchedule
} from '../../../shared/train-options'

// The Train form's augmentation and schedule fields, as plain functions of what the person set. Augmentation and
// the batch size stay out of the request until the person touches them, so main fills in the dataset-size
// defaults (withDatasetDefaults) exactly as the CLI gets them; the form only shows what those will be.

export const AUGMENT_GROUP_NAMES = Object.keys(AUGMENT_GROUPS) as AugmentGroup[]

/** What the person chose on the augmentation toggles: on or off, and which transform groups. */
export interface AugmentChoice {
  on: boolean
  groups: AugmentGroup[]
}

export const augmentOf = (c: AugmentChoice): AugmentOptions =>
  c.on ? augmentGroups(c.groups) : { ...NO_AUGMENT }

/** The toggles as they read before the person touches them: the dataset's default, every group ticked. */
export const autoAugmentChoice = (trainCount: number | null): AugmentChoice => ({
  on: trainCount !== null && augmentIsOn(defaultAugmentFor(trainCount)),
  groups: [...AUGMENT_GROUP_NAMES]
})

/** The choice with one group ticked or not, groups kept in their fixed order. */
export const withGroup = (c: AugmentChoice, group: AugmentGroup, on: boolean): AugmentChoice => ({
  ...c,
  groups: AUGMENT_GROUP_NAMES.filter((g) => (g === group ? on : c.groups.includes(g)))
})

const images = (n: number) => `${n} training image${n === 1 ? '' : 's'}`

/** "auto: on for this dataset (80 training images)". */
export const autoAugmentText = (trainCount: number): string =>
  `auto: ${augmentIsOn(defaultAugmentFor(trainCount)) ? 'on' : 'off'} for this dataset (${images(trainCount)})`

/** "auto: 16 for this dataset (80 training images)". */
export const autoBatchText = (trainCount: number): string =>
  `auto: ${defaultBatchFor(trainCount)} for this dataset (${images(trainCount)})`

/** The group's name on its toggle; grey images have no colour to change, only brightness and contrast. */
export const groupLabel = (group: AugmentGroup, channels: 1 | 3): string =>
  ({
    flip: 'Mirror',
    shift: 'Shift',
    rotate: 'Rotate and zoom',
    color: channels === 3 ? 'Brightness, contrast, colour' : 'Brightness and contrast'
  })[group]

/** Each schedule's own fields, kept while the person switches between kinds. */
export interface ScheduleForm {
  kind: LrSchedule['kind']
  cosine: { warmup: number; minLr: number }
  plateau: { factor: number; patience: number; minLr: number }
}

/** The schema's defaults for every kind. */
export const defaultScheduleForm = (): ScheduleForm => ({
  kind: 'constant',
  cosine: { warmup: 0, minLr: 0 },
  plateau: { factor: 0.5, patience: 5, minLr: 1e-6 }
})

export function scheduleOf(s: ScheduleForm): LrSchedule {
  if (s.kind === 'cosine') return { kind: 'cosine', ...s.cosine }
  if (s.kind === 'plateau') return { kind: 'plateau', ...s.plateau }
  return { kind: 'constant' }
}

export const SCHEDULE_LABELS: Record<LrSchedule['kind'], string> = {
  constant: 'constant',
  cosine: 'cosine, with warm-up',
  plateau: 'reduce on plateau'
}
