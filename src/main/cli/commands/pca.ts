import { insightsPcaSchema } from '../../../shared/contract/insights'
import { numberOption, parseCommandArgs, type Command } from '../command'
import { withStudio } from '../with-studio'
import { validated } from './exports-args'
import { parseRunId } from './train'

const usage = 'aestudio pca <runId> [--components K] [--shown 8] [--out eigenfaces.png] [--json]'

const service = () => import('../../services/insights')

const fmt = (x: number) => x.toPrecision(4)

export const pca: Command = {
  name: 'pca',
  summary: "Compare a run's reconstruction error with PCA at as many components; write the eigenfaces",
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        components: { type: 'string', short: 'k' },
        shown: { type: 'string' },
        out: { type: 'string', short: 'o' }
      },
      usage
    )
    const input = validated(
      insightsPcaSchema,
      {
        runId: parseRunId(positionals[0], usage),
        components: numberOption('components', values.components),
        shown: numberOption('shown', values.shown),
        out: values.out
      },
      usage
    )
    const r = await withStudio(async (studio) => (await service()).pcaBaseline(studio, input))
    // The image itself is in the file; a data URL on a terminal helps no one.
    const { dataUrl: _dataUrl, ...eigenfaces } = r.eigenfaces
    if (values.json) return io.out(JSON.stringify({ ...r, eigenfaces }))
    io.out(`${r.count} ${r.split === 'val' ? 'validation' : 'training'} images, PCA fitted on ${r.fitCount}:`)
    io.out(`  PCA, ${r.k} components:  MSE ${fmt(r.pcaMse)}  PSNR ${r.pcaPsnr.toFixed(2)} dB`)
    io.out(`  autoencoder, latent ${r.latent}: MSE ${fmt(r.aeMse)}  PSNR ${r.aePsnr.toFixed(2)} dB`)
    io.out(`  ${(r.explainedVariance * 100).toFixed(1)}% of the training variance in ${r.k} components`)
    if (eigenfaces.file) io.out(`Wrote ${eigenfaces.file}`)
  }
}
