import { existsSync } from 'node:fs'
import { EXPRESSIONS } from '../../../shared/contract/domain'
import {
  TRAIT_DEFAULTS,
  traitSetsSchema,
  vectorComputeSchema,
  vectorExportSchema,
  type TraitSets
} from '../../../shared/contract/vector'
import { CliError, EXIT, numberOption, parseCommandArgs, type CliIO, type Command } from '../command'
import { withStudio } from '../with-studio'
import { validated } from './exports-args'
import { parseRunId } from './train'

const usage =
  'aestudio vector <runId> --with A1.png [A2.png ...] --without B1.png [B2.png ...] [--apply IMG]\n' +
  `       aestudio vector <runId> --trait ${EXPRESSIONS.join('|')} [--threshold ${TRAIT_DEFAULTS.threshold}] ` +
  '[--below T] [--apply IMG]\n' +
  '       [--strength 1] [--out FILE.gif] [--frames 12] [--size 256] [--delay 80] [--json]\n' +
  '       (images are files or dataset image ids; repeat a flag or give a comma list: --with a.png,b.png;\n' +
  '       --trait picks them from the run\'s face dataset: "with" the faces whose expression score is at\n' +
  '       least --threshold, "without" those below --below, which defaults to --threshold)'

const SETS = new Set(['--with', '--without'])

/**
 * Lets `--with a.png b.png --without c.png` name several images after one flag: the words after --with or
 * --without, up to the next flag, each become `--with <word>`, so parseArgs sees a repeated option. A negative
 * strength (`--strength -2`, taking the trait away) becomes `--strength=-2`, which parseArgs would otherwise
 * read as a flag.
 */
export function expandImageSets(args: readonly string[]): string[] {
  const out: string[] = []
  let set: string | null = null
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === '--strength' && /^-\.?\d/.test(args[i + 1] ?? '')) {
      out.push(`--strength=${args[++i]}`)
      set = null
    } else if (a.startsWith('-')) {
      set = SETS.has(a) ? a : null
      if (!set) out.push(a)
    } else if (set) out.push(set, a)
    else out.push(a)
  }
  return out
}

/** A word naming images: a comma list unless it is itself an existing file; numbers are dataset image ids. */
function imageRefs(words: readonly string[] | undefined): (number | string)[] {
  return (words ?? [])
    .flatMap((w) => (existsSync(w) ? [w] : w.split(',').filter((s) => s !== '')))
    .map((w) => (/^\d+$/.test(w) && !existsSync(w) ? Number(w) : w))
}

const vectorService = () => import('../../services/vector')

export const vector: Command = {
  name: 'vector',
  summary: 'Attribute vector arithmetic: add (mean code with a trait − mean code without) to an image',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      expandImageSets(args),
      {
        with: { type: 'string', multiple: true },
        without: { type: 'string', multiple: true },
        trait: { type: 'string' },
        threshold: { type: 'string' },
        below: { type: 'string' },
        apply: { type: 'string' },
        strength: { type: 'string' },
        out: { type: 'string', short: 'o' },
        frames: { type: 'string' },
        size: { type: 'string' },
        delay: { type: 'string' }
      },
      usage
    )
    if (positionals.length !== 1)
      throw new CliError(
        `Give one run id, then the images with --with and --without.\nUsage: ${usage}`,
        EXIT.usage
      )
    const runId = parseRunId(positionals[0], usage)
    if (values.trait === undefined && (values.threshold !== undefined || values.below !== undefined))
      throw new CliError(`--threshold and --below only apply with --trait.\nUsage: ${usage}`, EXIT.usage)
    if (values.trait !== undefined && (values.with || values.without))
      throw new CliError(
        `--trait picks the images itself: give it, or --with and --without, not both.\nUsage: ${usage}`,
        EXIT.usage
      )
    const picked = values.trait === undefined ? undefined : await pickByTrait(runId, values, io)
    const withImages = picked ? picked.with.map((i) => i.id) : imageRefs(values.with)
    const withoutImages = picked ? picked.without.map((i) => i.id) : imageRefs(values.without)
    if (withImages.length === 0 || withoutImages.length === 0)
      throw new CliError(
        `Give images that have the trait with --with and images that lack it with --without.\nUsage: ${usage}`,
        EXIT.usage
      )
    const sets = picked && {
      trait: values.trait,
      with: picked.with.map((i) => i.relPath),
      without: picked.without.map((i) => i.relPath)
    }
    if (values.out && !values.apply)
      throw new CliError(`Say which image to change with --apply IMG.\nUsage: ${usage}`, EXIT.usage)
    const service = await vectorService()
    if (!values.out) {
      const input = validated(vectorComputeSchema, { runId, withImages, withoutImages }, usage)
      const r = await withStudio((studio) => service.computeVector(studio, input))
      if (values.json)
        return io.out(
          JSON.stringify({
            dimensions: r.dimensions,
            norm: r.norm,
            strengths: [],
            out: null,
            vector: r.vector,
            ...(sets && { picked: sets })
          })
        )
      io.out(`Attribute vector: ${r.dimensions} dimensions, length ${r.norm.toPrecision(4)}`)
      io.out(`  ${r.vector.map((x) => x.toFixed(3)).join(' ')}`)
      io.out('Add --apply IMG --out FILE.gif to write the image changed at growing strengths.')
      return
    }
    const input = validated(
      vectorExportSchema,
      {
        runId,
        withImages,
        withoutImages,
        target: imageRefs([values.apply!])[0],
        strength: numberOption('strength', values.strength),
        out: values.out,
        frames: numberOption('frames', values.frames),
        size: numberOption('size', values.size),
        delay: numberOption('delay', values.delay)
      },
      usage
    )
    const r = await withStudio((studio) => service.vectorExport(studio, input))
    if (values.json)
      return io.out(
        JSON.stringify({
          dimensions: r.dimensions,
          norm: r.norm,
          strengths: r.strengths,
          out: r.file,
          ...(sets && { picked: sets })
        })
      )
    io.out(`Wrote ${r.file}`)
    io.out(
      `  ${r.format.toUpperCase()}, ${r.frames} frames at strengths 0 to ${r.strengths.at(-1)}, ` +
        `${r.width}×${r.height}; vector of ${r.dimensions} dimensions, length ${r.norm.toPrecision(4)}`
    )
  }
}

type TraitFlags = { trait?: string; threshold?: string; below?: string; json?: boolean }

/**
 * The "with" and "without" images of a face run's dataset by an expression's score, printed (unless --json)
 * so the user sees which faces went where; an empty set is an error naming the threshold to move.
 */
async function pickByTrait(runId: number, flags: TraitFlags, io: CliIO): Promise<TraitSets> {
  const { faceDatasetOfRun, traitSets } = await import('../../services/trait-sets')
  const input = validated(
    traitSetsSchema,
    {
      datasetId: 1,
      trait: flags.trait,
      threshold: numberOption('threshold', flags.threshold),
      below: numberOption('below', flags.below)
    },
    usage
  )
  const sets = await withStudio(async (studio) =>
    traitSets(studio, { ...input, datasetId: faceDatasetOfRun(studio, runId) })
  )
  const below = input.below ?? input.threshold
  if (sets.with.length === 0)
    throw new CliError(
      `No face scores ${input.threshold} or more for ${input.trait}; lower --threshold.`,
      EXIT.failed
    )
  if (sets.without.length === 0)
    throw new CliError(`Every face scores ${below} or more for ${input.trait}; raise --below.`, EXIT.failed)
  if (!flags.json) {
    const list = (images: TraitSets['with']) =>
      images.map((i) => `  ${i.relPath} (${i.face!.expressions[input.trait].toFixed(2)})`).join('\n')
    io.out(`With ${input.trait} (score ≥ ${input.threshold}): ${sets.with.length}\n${list(sets.with)}`)
    io.out(`Without (score < ${below}): ${sets.without.length}\n${list(sets.without)}`)
  }
  return sets
}
