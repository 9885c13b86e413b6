import { manifoldSchema } from '../../../shared/contract/viewers'
import { numberOption, parseCommandArgs, type Command } from '../command'
import { withStudio } from '../with-studio'
import { parseRunId } from './train'
import { requireOut, validated, exportsService } from './exports-args'

const usage = 'aestudio manifold <runId> --out grid.png [--steps 15] [--json]'

export const manifold: Command = {
  name: 'manifold',
  summary: 'Decode a grid over a 2-D latent plane (runs trained with --latent 2)',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { out: { type: 'string', short: 'o' }, steps: { type: 'string' } },
      usage
    )
    const input = validated(
      manifoldSchema,
      {
        runId: parseRunId(positionals[0], usage),
        out: requireOut(values.out, 'manifold.png', usage),
        steps: numberOption('steps', values.steps)
      },
      usage
    )
    const r = await withStudio(async (studio) => (await exportsService()).manifoldGrid(studio, input))
    if (values.json) return io.out(JSON.stringify(r))
    io.out(`Wrote ${r.file}`)
    io.out(`  ${input.steps}×${input.steps} decoded codes, ${r.width}×${r.height} px`)
  }
}
