import { existsSync } from 'node:fs'
import { vectorComputeSchema, vectorExportSchema } from '../../../shared/contract/vector'
import { CliError, EXIT, numberOption, parseCommandArgs, type Command } from '../command'
import { withStudio } from '../with-studio'
import { validated } from './exports-args'
import { parseRunId } from './train'

const usage =
  'aestudio vector <runId> --with A1.png [A2.png ...] --without B1.png [B2.png ...] [--apply IMG]\n' +
  '       [--strength 1] [--out FILE.gif] [--frames 12] [--size 256] [--delay 80] [--json]\n' +
  '       (images are files or dataset image ids; repeat a flag or give a comma list: --with a.png,b.png)'

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
    const withImages = imageRefs(values.with)
    const withoutImages = imageRefs(values.without)
    if (withImages.length === 0 || withoutImages.length === 0)
      throw new CliError(
        `Give images that have the trait with --with and images that lack it with --without.\nUsage: ${usage}`,
        EXIT.usage
      )
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
            vector: r.vector
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
        JSON.stringify({ dimensions: r.dimensions, norm: r.norm, strengths: r.strengths, out: r.file })
      )
    io.out(`Wrote ${r.file}`)
    io.out(
      `  ${r.format.toUpperCase()}, ${r.frames} frames at strengths 0 to ${r.strengths.at(-1)}, ` +
        `${r.width}×${r.height}; vector of ${r.dimensions} dimensions, length ${r.norm.toPrecision(4)}`
    )
  }
}
