import { manifoldSchema } from '../../../shared/contract/viewers'
import { numberOption } from '../command'
import { requireOut, exportsService } from './exports-args'
import { runCommand } from './run-command'

const usage = 'aestudio manifold <runId> --out grid.png [--steps 15] [--json]'

export const manifold = runCommand({
  name: 'manifold',
  summary: 'Decode a grid over a 2-D latent plane (runs trained with --latent 2)',
  usage,
  options: { out: { type: 'string', short: 'o' }, steps: { type: 'string' } },
  schema: manifoldSchema,
  input: (values) => ({
    out: requireOut(values.out, 'manifold.png', usage),
    steps: numberOption('steps', values.steps)
  }),
  call: async (studio, input) => (await exportsService()).manifoldGrid(studio, input),
  text: (r, input) => [
    `Wrote ${r.file}`,
    `  ${input.steps}×${input.steps} decoded codes, ${r.width}×${r.height} px`
  ]
})
