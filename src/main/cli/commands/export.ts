import { modelExportSchema } from '../../../shared/contract/viewers'
import { parseCommandArgs, type Command } from '../command'
import { withStudio } from '../with-studio'
import { parseRunId } from './train'
import { requireOut, validated, exportsService } from './exports-args'

const usage = 'aestudio export <runId> --out DIR [--json]'

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write a run’s encoder and decoder in TensorFlow.js layers format, with its config',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { out: { type: 'string', short: 'o' } }, usage)
    const input = validated(
      modelExportSchema,
      { runId: parseRunId(positionals[0], usage), out: requireOut(values.out, 'my-model', usage) },
      usage
    )
    const r = await withStudio(async (studio) => (await exportsService()).exportModel(studio, input))
    if (values.json) return io.out(JSON.stringify(r))
    io.out(`Wrote ${r.dir}`)
    for (const f of r.files) io.out(`  ${f}`)
    io.out(
      "Load with tf.loadLayersModel('…/encoder/model.json') and tf.loadLayersModel('…/decoder/model.json')."
    )
  }
}
