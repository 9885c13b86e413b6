import { insightsCompressionSchema } from '../../../shared/contract/insights'
import { numberOption } from '../command'
import { runCommand } from './run-command'

const usage = 'aestudio compression <runId> [--limit 200] [--json]'

const service = () => import('../../services/insights')

const db = (x: number | null) => (x === null ? '' : `${x.toFixed(2)} dB`)

const row = (label: string, m: { bits: number; psnr: number | null }) =>
  `  ${label.padEnd(26)} ${Math.round(m.bits).toString().padStart(9)} bits  ${db(m.psnr)}`

export const compression = runCommand({
  name: 'compression',
  summary: 'Bits per image at the bottleneck against the source files and a JPEG of equal quality',
  usage,
  options: { limit: { type: 'string' } },
  schema: insightsCompressionSchema,
  input: (values) => ({ limit: numberOption('limit', values.limit) }),
  call: async (studio, input) => (await service()).compressionReport(studio, input),
  text: (r) => [
    `${r.count} ${r.split === 'val' ? 'validation' : 'training'} images, ${r.size}×${r.size}×${r.channels}:`,
    row('pixels (uncompressed)', r.pixels),
    row('source files (mean)', r.source),
    row(`code, ${r.latent} × float32`, r.float32),
    row(`code, ${r.latent} × 8 bit`, r.quantised8),
    row(`JPEG, equal PSNR (q≈${Math.round(r.jpeg.meanQuality)})`, r.jpeg),
    ...(r.jpeg.missed > 0
      ? [`  ${r.jpeg.missed} images: even JPEG quality 100 fell short of the autoencoder`]
      : [])
  ]
})
