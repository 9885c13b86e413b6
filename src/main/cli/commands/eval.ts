import { evalRun } from '../../services/training'
import { CliError, EXIT, type Command } from '../command'
import { withStudio } from '../with-studio'
import { parseRunArgs } from './run-command'

const usage = 'aestudio eval <runId> <folder> [--checkpoint best|last] [--json]'

export const evaluate: Command = {
  name: 'eval',
  summary: "Measure a run's reconstruction error (MSE, PSNR) on a folder of images",
  usage,
  async run(args, io) {
    const { values, runId, rest } = parseRunArgs(args, { checkpoint: { type: 'string' } }, usage)
    const [folder] = rest
    if (!folder || rest.length > 1)
      throw new CliError(`Give a run id and a folder.\nUsage: ${usage}`, EXIT.usage)
    const which = values.checkpoint ?? 'best'
    if (which !== 'best' && which !== 'last')
      throw new CliError(`--checkpoint must be best or last, got "${which}".`, EXIT.usage)
    const r = await withStudio((studio) => evalRun(studio, runId, folder, which))
    if (values.json) return io.out(JSON.stringify(r))
    io.out(`${r.count} images: MSE ${r.mse.toPrecision(4)}, PSNR ${r.psnr.toFixed(2)} dB`)
  }
}
