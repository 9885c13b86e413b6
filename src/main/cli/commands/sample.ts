import { samplesRandomSchema } from '../../../shared/contract/viewers'
import { numberOption, parseCommandArgs, type Command } from '../command'
import { withStudio } from '../with-studio'
import { parseRunId } from './train'
import { requireOut, validated, exportsService } from './exports-args'

const usage = 'aestudio sample <runId> --out grid.png [--count 16] [--seed 1] [--json]'

export const sample: Command = {
  name: 'sample',
  summary: 'Draw new images from a variational run’s prior as a PNG grid',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { out: { type: 'string', short: 'o' }, count: { type: 'string' }, seed: { type: 'string' } },
      usage
    )
    const input = validated(
      samplesRandomSchema,
      {
        runId: parseRunId(positionals[0], usage),
        out: requireOut(values.out, 'samples.png', usage),
        count: numberOption('count', values.count),
        seed: numberOption('seed', values.seed)
      },
      usage
    )
    const r = await withStudio(async (studio) => (await exportsService()).samplesRandom(studio, input))
    if (values.json) return io.out(JSON.stringify(r))
    io.out(`Wrote ${r.file}`)
    io.out(`  ${input.count} samples (seed ${input.seed}), ${r.width}×${r.height} px`)
  }
}
