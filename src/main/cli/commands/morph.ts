import { morphExportSchema } from '../../../shared/contract/viewers'
import { CliError, EXIT, numberOption, parseCommandArgs, type Command } from '../command'
import { withStudio } from '../with-studio'
import { parseRunId } from './train'
import { exportProgressBar, requireOut, validated, exportsService } from './exports-args'

const usage =
  'aestudio morph <runId> <imageA> <imageB> [<imageC> ...] --out FILE.gif [--frames 24] [--size 256] ' +
  '[--delay 80] [--interp lerp|slerp] [--pingpong] [--loop 0] [--json]'

export const morph: Command = {
  name: 'morph',
  summary: 'Morph between images through a run’s latent space; write a GIF, WebP or PNG strip',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        out: { type: 'string', short: 'o' },
        frames: { type: 'string' },
        size: { type: 'string' },
        delay: { type: 'string' },
        interp: { type: 'string' },
        pingpong: { type: 'boolean', default: false },
        loop: { type: 'string' }
      },
      usage
    )
    const [rawId, ...images] = positionals
    const runId = parseRunId(rawId, usage)
    if (images.length < 2)
      throw new CliError(`Give at least two images to morph between.\nUsage: ${usage}`, EXIT.usage)
    const input = validated(
      morphExportSchema,
      {
        runId,
        keyframes: images,
        out: requireOut(values.out, 'morph.gif', usage),
        frames: numberOption('frames', values.frames),
        size: numberOption('size', values.size),
        delay: numberOption('delay', values.delay),
        interp: values.interp,
        pingpong: values.pingpong,
        loop: numberOption('loop', values.loop)
      },
      usage
    )
    const bar = exportProgressBar(io, 'Morph')
    const r = await withStudio(async (studio) =>
      (await exportsService()).morphExport(studio, input, bar)
    ).finally(bar.done)
    if (values.json) return io.out(JSON.stringify(r))
    const loops = r.loop === 0 ? 'loops forever' : `plays ${r.loop} time${r.loop === 1 ? '' : 's'}`
    const timing = r.format === 'png' ? 'a strip of frames' : `${r.delay} ms a frame, ${loops}`
    io.out(`Wrote ${r.file}`)
    io.out(
      `  ${r.format.toUpperCase()}, ${r.frames} frames, ${r.width}×${r.height}, ${timing} (${r.seconds.toFixed(1)} s)`
    )
  }
}
