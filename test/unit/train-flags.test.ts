import { describe, expect, it } from 'vitest'
import { normalizeAugmentArgs, parseAugmentFlag } from '../../src/main/cli/augment-flag'
import { CliError } from '../../src/main/cli/command'
import { configFromFlags, TRAIN_FLAGS } from '../../src/main/cli/train-flags'
import { parseCommandArgs } from '../../src/main/cli/command'
import { parseTrainConfig } from '../../src/shared/config'
import type { Settings } from '../../src/shared/contract/settings'
import {
  AUGMENT_BELOW,
  DEFAULT_AUGMENT,
  NO_AUGMENT,
  defaultBatchFor,
  withDatasetDefaults
} from '../../src/shared/train-options'

const settings: Settings = {
  latent: 32,
  size: 64,
  backend: 'auto',
  threads: 0,
  theme: 'system',
  dataDir: '/x',
  dataDirHint: ''
}
const dataset = { size: 32, channels: 1 }
const flags = (args: string[]) => {
  const { values } = parseCommandArgs(normalizeAugmentArgs(args), TRAIN_FLAGS, 'usage')
  return configFromFlags(values, settings, dataset)
}

describe('--augment', () => {
  it('is a switch when bare (last, or before another option) and takes a list of transform names', () => {
    expect(normalizeAugmentArgs(['3', '--augment'])).toEqual(['3', '--augment=all'])
    expect(normalizeAugmentArgs(['--augment', '--epochs', '80', '3'])).toEqual([
      '--augment=all',
      '--epochs',
      '80',
      '3'
    ])
    expect(normalizeAugmentArgs(['--augment', 'flip,shift', '3'])).toEqual(['--augment=flip,shift', '3'])
    // Not a list of names: the folder or dataset id that follows stays a positional.
    expect(normalizeAugmentArgs(['--augment', 'photos/'])).toEqual(['--augment=all', 'photos/'])
  })

  it('turns on the named groups at their default strengths', () => {
    expect(parseAugmentFlag('all')).toEqual(DEFAULT_AUGMENT)
    expect(parseAugmentFlag('flip,rotate')).toEqual({ ...NO_AUGMENT, flip: true, rotate: 5, scale: 0.05 })
    expect(parseAugmentFlag('color')).toEqual({ ...NO_AUGMENT, brightness: 0.1, contrast: 0.1, color: 0.1 })
  })

  it('rejects unknown names in plain words', () => {
    expect(() => parseAugmentFlag('flip,blur')).toThrow(CliError)
    expect(() => parseAugmentFlag('flip,blur')).toThrow('"blur" is not one')
  })

  it('reaches the config; --no-augment turns it off; neither leaves it to the dataset-size policy', () => {
    expect(flags(['1', '--augment']).augment).toEqual(DEFAULT_AUGMENT)
    expect(flags(['1', '--augment', 'shift']).augment).toEqual({ ...NO_AUGMENT, shift: 0.0625 })
    expect(flags(['1', '--no-augment']).augment).toEqual(NO_AUGMENT)
    expect('augment' in flags(['1'])).toBe(false)
    expect(() => flags(['1', '--augment', '--no-augment'])).toThrow('not both')
  })
})

describe('schedule, decay and early-stopping flags', () => {
  it('reach the config', () => {
    const c = parseTrainConfig(
      flags(['1', '--lr-schedule', 'cosine', '--weight-decay', '0.01', '--early-stop', '10'])
    )
    expect(c.lrSchedule).toEqual({ kind: 'cosine', warmup: 0, minLr: 0 })
    expect(c.weightDecay).toBe(0.01)
    expect(c.earlyStop).toBe(10)
    const p = parseTrainConfig(flags(['1', '--lr-schedule', 'plateau']))
    expect(p.lrSchedule).toEqual({ kind: 'plateau', factor: 0.5, patience: 5, minLr: 1e-6 })
  })

  it('default to a constant rate, no decay and no early stopping; an unknown schedule is refused', () => {
    const c = parseTrainConfig(flags(['1']))
    expect([c.lrSchedule, c.weightDecay, c.earlyStop, c.augment]).toEqual([
      { kind: 'constant' },
      0,
      0,
      NO_AUGMENT
    ])
    expect(() => flags(['1', '--lr-schedule', 'step'])).toThrow(
      '--lr-schedule is one of constant, cosine, plateau'
    )
  })
})

describe('the dataset-size defaults', () => {
  it('augment datasets below the threshold when the config does not say, and never override a choice', () => {
    expect(withDatasetDefaults({ model: 'conv' }, AUGMENT_BELOW - 1)).toMatchObject({
      augment: DEFAULT_AUGMENT
    })
    expect(withDatasetDefaults({ model: 'conv' }, AUGMENT_BELOW)).toMatchObject({ augment: NO_AUGMENT })
    expect(withDatasetDefaults({ model: 'conv', augment: NO_AUGMENT }, 10)).toMatchObject({
      augment: NO_AUGMENT
    })
  })

  it('give small datasets smaller batches, so an epoch has at least 5 steps', () => {
    expect([10, 40, 80, 100, 159, 160, 5000].map(defaultBatchFor)).toEqual([8, 8, 16, 16, 16, 32, 32])
    expect(withDatasetDefaults({ model: 'conv' }, 80)).toMatchObject({ batch: 16 })
    expect(withDatasetDefaults({ model: 'conv', batch: 64 }, 80)).toMatchObject({ batch: 64 })
  })
})
