import {
  AUGMENT_GROUPS,
  augmentGroups,
  DEFAULT_AUGMENT,
  type AugmentGroup,
  type AugmentOptions
} from '../../shared/train-options'
import { CliError, EXIT } from './command'

const GROUPS = Object.keys(AUGMENT_GROUPS) as AugmentGroup[]
const LIST = new RegExp(`^(all|(${GROUPS.join('|')})(,(${GROUPS.join('|')}))*)$`)

/**
 * `--augment` takes an optional list, which util.parseArgs cannot express: a bare `--augment` (last, or followed
 * by another option or by anything that is not a list of transform names) becomes `--augment=all`.
 */
export function normalizeAugmentArgs(args: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '--augment') {
      out.push(args[i])
      continue
    }
    const next = args[i + 1]
    if (next !== undefined && LIST.test(next)) {
      out.push(`--augment=${next}`)
      i++
    } else out.push('--augment=all')
  }
  return out
}

/** `all`, or a comma-separated list of flip, shift, rotate (with scale), color (brightness, contrast, colour). */
export function parseAugmentFlag(value: string): AugmentOptions {
  if (value === 'all') return { ...DEFAULT_AUGMENT }
  const names = value.split(',').map((s) => s.trim())
  const bad = names.filter((n) => !GROUPS.includes(n as AugmentGroup))
  if (bad.length || names.length === 0)
    throw new CliError(
      `--augment takes a list of ${GROUPS.join(', ')} (or nothing, for all of them); ` +
        `"${bad.join(',') || value}" is not one.`,
      EXIT.usage
    )
  return augmentGroups(names as AugmentGroup[])
}
