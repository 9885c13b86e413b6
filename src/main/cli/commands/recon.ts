import { reconGridSchema } from '../../../shared/contract/viewers'
import { numberOption } from '../command'
import { requireOut, exportsService } from './exports-args'
import { runCommand } from './run-command'

const usage = 'aestudio recon <runId> --out grid.png [--count 16] [--json]'

export const recon = runCommand({
  name: 'recon',
  summary: 'Write validation images above their reconstructions as a PNG grid',
  usage,
  options: { out: { type: 'string', short: 'o' }, count: { type: 'string' } },
  schema: reconGridSchema,
  input: (values) => ({
    out: requireOut(values.out, 'grid.png', usage),
    count: numberOption('count', values.count)
  }),
  call: async (studio, input) => (await exportsService()).reconGrid(studio, input),
  text: (r) => [
    `Wrote ${r.file}`,
    `  ${r.columns} images, rows: ${r.rows.join(', ')}; ${r.width}×${r.height} px`
  ]
})
