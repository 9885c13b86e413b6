import { reconGridSchema } from '../../../shared/contract/viewers'
import { numberOption, parseCommandArgs, type Command } from '../command'
import { withStudio } from '../with-studio'
import { parseRunId } from './train'
import { requireOut, validated, exportsService } from './exports-args'

const usage = 'aestudio recon <runId> --out grid.png [--count 16] [--json]'

export const recon: Command = {
  name: 'recon',
  summary: 'Write validation images above their reconstructions as a PNG grid',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { out: { type: 'string', short: 'o' }, count: { type: 'string' } },
      usage
    )
    const input = validated(
      reconGridSchema,
      {
        runId: parseRunId(positionals[0], usage),
        out: requireOut(values.out, 'grid.png', usage),
        count: numberOption('count', values.count)
      },
      usage
    )
    const r = await withStudio(async (studio) => (await exportsService()).reconGrid(studio, input))
    if (values.json) return io.out(JSON.stringify(r))
    io.out(`Wrote ${r.file}`)
    io.out(`  ${r.columns} images, rows: ${r.rows.join(', ')}; ${r.width}×${r.height} px`)
  }
}
