import { morphExportSchema } from '../../../shared/contract/viewers'
import { CliError, EXIT, numberOption } from '../command'
import { exportProgressBar, requireOut, exportsService } from './exports-args'
import { runCommand } from './run-command'

const usage =
  'aestudio morph <runId> <imageA> <imageB> [<imageC> ...] --out FILE.gif [--frames 24] [--size 256] ' +
  '[--delay 80] [--interp lerp|slerp] [--pingpong] [--loop 0] [--json]'

export const morph = runCommand({
  name: 'morph',
  summary: 'Morph between images through a run’s latent space; write a GIF, WebP or PNG strip',
  usage,
  options: {
    out: { type: 'string', short: 'o' },
    frames: { type: 'string' },
    size: { type: 'string' },
    delay: { type: 'string' },
    interp: { type: 'string' },
    pingpong: { type: 'boolean', default: false },
    loop: { type: 'string' }
  },
  schema: morphExportSchema,
  input: (values, images) => {
    if (images.length < 2)
      throw new CliError(`Give at least two images to morph between.\nUsage: ${usage}`, EXIT.usage)
    return {
      keyframes: images,
      out: requireOut(values.out, 'morph.gif', usage),
      frames: numberOption('frames', values.frames),
      size: numberOption('size', values.size),
      delay: numberOption('delay', values.delay),
      interp: values.interp,
      pingpong: values.pingpong,
      loop: numberOption('loop', values.loop)
    }
  },
  call: async (studio, input, io) => {
    const bar = exportProgressBar(io, 'Morph')
    try {
      return await (await exportsService()).morphExport(studio, input, bar)
    } finally {
      bar.done()
    }
  },
  text: (r) => {
    const loops = r.loop === 0 ? 'loops forever' : `plays ${r.loop} time${r.loop === 1 ? '' : 's'}`
    const timing = r.format === 'png' ? 'a strip of frames' : `${r.delay} ms a frame, ${loops}`
    return [
      `Wrote ${r.file}`,
      `  ${r.format.toUpperCase()}, ${r.frames} frames, ${r.width}×${r.height}, ${timing} (${r.seconds.toFixed(1)} s)`
    ]
  }
})
