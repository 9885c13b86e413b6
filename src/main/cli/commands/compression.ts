import { insightsCompressionSchema } from '../../../shared/contract/insights'
import { numberOption, parseCommandArgs, type Command } from '../command'
import { withStudio } from '../with-studio'
import { validated } from './exports-args'
import { parseRunId } from './train'

const usage = 'aestudio compression <runId> [--limit 200] [--json]'

const service = () => import('../../services/insights')

const db = (x: number | null) => (x === null ? '' : `${x.toFixed(2)} dB`)

export const compression: Command = {
  name: 'compression',
  summary: 'Bits per image at the bottleneck against the source files and a JPEG of equal quality',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { limit: { type: 'string' } }, usage)
    const input = validated(
      insightsCompressionSchema,
      { runId: parseRunId(positionals[0], usage), limit: numberOption('limit', values.limit) },
      usage
    )
    const r = await withStudio(async (studio) => (await service()).compressionReport(studio, input))
    if (values.json) return io.out(JSON.stringify(r))
    io.out(
      `${r.count} ${r.split === 'val' ? 'validation' : 'training'} images, ${r.size}×${r.size}×${r.channels}:`
    )
    const row = (label: string, m: { bits: number; psnr: number | null }) =>
      io.out(`  ${label.padEnd(26)} ${Math.round(m.bits).toString().padStart(9)} bits  ${db(m.psnr)}`)
    row('pixels (uncompressed)', r.pixels)
    row('source files (mean)', r.source)
    row(`code, ${r.latent} × float32`, r.float32)
    row(`code, ${r.latent} × 8 bit`, r.quantised8)
    row(`JPEG, equal PSNR (q≈${Math.round(r.jpeg.meanQuality)})`, r.jpeg)
    if (r.jpeg.missed > 0)
      io.out(`  ${r.jpeg.missed} images: even JPEG quality 100 fell short of the autoencoder`)
  }
}
