import type {
  LatentMapInput,
  ManifoldInput,
  ModelExportInput,
  MorphExportInput
} from '../../shared/contract/exports'
import type { JobFn } from './context'

/** The exports that decode or encode many images: run in a job process so the app's main loop never waits. */
export type ExportJobParams =
  | { op: 'morph.export'; input: MorphExportInput }
  | { op: 'manifold.grid'; input: ManifoldInput }
  | { op: 'latent.map'; input: LatentMapInput }
  | { op: 'model.export'; input: ModelExportInput }

export const exportJob: JobFn = async (params, ctx) => {
  const exports = await import('../services/exports')
  const job = params as ExportJobParams
  switch (job.op) {
    case 'morph.export':
      return exports.morphExport(ctx.studio, job.input, {
        onProgress: (p) => ctx.emit('exports.progress', p)
      })
    case 'manifold.grid':
      return exports.manifoldGrid(ctx.studio, job.input)
    case 'latent.map':
      return exports.latentMap(ctx.studio, job.input)
    case 'model.export':
      return exports.exportModel(ctx.studio, job.input)
  }
}
