import { restoreSchema } from '../../../shared/contract/restore'
import { CliError, EXIT, type Command } from '../command'
import { withStudio } from '../with-studio'
import { requireOut, validated } from './exports-args'
import { parseRunArgs } from './run-command'

/** The restore service, loaded when a command runs so `aestudio --help` never loads TensorFlow.js. */
const restoreService = () => import('../../services/restore')

/** `colorize` and `clean` differ only in the run kind they need and the words they print. */
export function restoreCommand(kind: 'colorize' | 'clean', text: { summary: string; verb: string }): Command {
  const usage = `aestudio ${kind} <runId> <image...> --out DIR [--json]`
  return {
    name: kind,
    summary: text.summary,
    usage,
    async run(args, io) {
      const {
        values,
        runId,
        rest: images
      } = parseRunArgs(args, { out: { type: 'string', short: 'o' } }, usage)
      if (images.length === 0) throw new CliError(`Give at least one image.\nUsage: ${usage}`, EXIT.usage)
      const input = validated(
        restoreSchema,
        { runId, images, out: requireOut(values.out, 'DIR', usage) },
        usage
      )
      const r = await withStudio(async (studio) =>
        (await restoreService()).restoreImages(studio, kind, input)
      )
      if (values.json) return io.out(JSON.stringify({ runId: r.runId, size: r.size, files: r.files }))
      io.out(
        `${text.verb} ${r.images.length} image${r.images.length === 1 ? '' : 's'} at ${r.size}×${r.size}:`
      )
      for (const f of r.files) io.out(`  ${f}`)
    }
  }
}

export const colorize = restoreCommand('colorize', {
  summary:
    'Colourise images (colour or grey; they are greyed first) with a colorize run; write PNGs and strips',
  verb: 'Colourised'
})
