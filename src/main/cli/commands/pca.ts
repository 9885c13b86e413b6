import { insightsPcaSchema, type PcaBaseline } from '../../../shared/contract/insights'
import { numberOption } from '../command'
import { runCommand } from './run-command'

const usage = 'aestudio pca <runId> [--components K] [--shown 8] [--out eigenfaces.png] [--json]'

const service = () => import('../../services/insights')

const fmt = (x: number) => x.toPrecision(4)

/** The eigenfaces less their data URL: the image itself is in the file; a data URL on a terminal helps no one. */
const withoutImage = (r: PcaBaseline) => {
  const { dataUrl: _dataUrl, ...eigenfaces } = r.eigenfaces
  return { ...r, eigenfaces }
}

export const pca = runCommand({
  name: 'pca',
  summary: "Compare a run's reconstruction error with PCA at as many components; write the eigenfaces",
  usage,
  options: {
    components: { type: 'string', short: 'k' },
    shown: { type: 'string' },
    out: { type: 'string', short: 'o' }
  },
  schema: insightsPcaSchema,
  input: (values) => ({
    components: numberOption('components', values.components),
    shown: numberOption('shown', values.shown),
    out: values.out
  }),
  call: async (studio, input) => (await service()).pcaBaseline(studio, input),
  json: withoutImage,
  text: (r) => [
    `${r.count} ${r.split === 'val' ? 'validation' : 'training'} images, PCA fitted on ${r.fitCount}:`,
    `  PCA, ${r.k} components:  MSE ${fmt(r.pcaMse)}  PSNR ${r.pcaPsnr.toFixed(2)} dB`,
    `  autoencoder, latent ${r.latent}: MSE ${fmt(r.aeMse)}  PSNR ${r.aePsnr.toFixed(2)} dB`,
    `  ${(r.explainedVariance * 100).toFixed(1)}% of the training variance in ${r.k} components`,
    ...(r.eigenfaces.file ? [`Wrote ${r.eigenfaces.file}`] : [])
  ]
})
