import { modelExportSchema } from '../../../shared/contract/viewers'
import { requireOut, exportsService } from './exports-args'
import { runCommand } from './run-command'

const usage = 'aestudio export <runId> --out DIR [--json]'

export const exportCommand = runCommand({
  name: 'export',
  summary: 'Write a run’s encoder and decoder in TensorFlow.js layers format, with its config',
  usage,
  options: { out: { type: 'string', short: 'o' } },
  schema: modelExportSchema,
  input: (values) => ({ out: requireOut(values.out, 'my-model', usage) }),
  call: async (studio, input) => (await exportsService()).exportModel(studio, input),
  text: (r) => [
    `Wrote ${r.dir}`,
    ...r.files.map((f) => `  ${f}`),
    "Load with tf.loadLayersModel('…/encoder/model.json') and tf.loadLayersModel('…/decoder/model.json')."
  ]
})
