import { samplesRandomSchema } from '../../../shared/contract/viewers'
import { numberOption } from '../command'
import { requireOut, exportsService } from './exports-args'
import { runCommand } from './run-command'

const usage = 'aestudio sample <runId> --out grid.png [--count 16] [--seed 1] [--json]'

export const sample = runCommand({
  name: 'sample',
  summary: 'Draw new images from a variational run’s prior as a PNG grid',
  usage,
  options: { out: { type: 'string', short: 'o' }, count: { type: 'string' }, seed: { type: 'string' } },
  schema: samplesRandomSchema,
  input: (values) => ({
    out: requireOut(values.out, 'samples.png', usage),
    count: numberOption('count', values.count),
    seed: numberOption('seed', values.seed)
  }),
  call: async (studio, input) => (await exportsService()).samplesRandom(studio, input),
  text: (r, input) => [
    `Wrote ${r.file}`,
    `  ${input.count} samples (seed ${input.seed}), ${r.width}×${r.height} px`
  ]
})
