import type { HandlerContext } from './index'
import type {
  LatentMapInput,
  ManifoldInput,
  ModelExportInput,
  MorphExportInput,
  MorphFrameInput,
  ReconGridInput,
  SamplesRandomInput
} from '../../shared/contract/exports'
import { sampleSet } from '../exports/samples'

// TensorFlow.js comes in with the first viewer call, not at start-up.
const service = () => import('../services/exports')

/** The viewers' calls (morph, grids, latent map, model export, samples); morph exports report progress. */
export const exportHandlers = ({ studio, events }: HandlerContext) => ({
  'morph.frame': async (input: MorphFrameInput) => (await service()).morphFrame(studio, input),
  'morph.export': async (input: MorphExportInput) =>
    (await service()).morphExport(studio, input, { onProgress: (p) => events.emit('exports.progress', p) }),
  'recon.grid': async (input: ReconGridInput) => (await service()).reconGrid(studio, input),
  'samples.random': async (input: SamplesRandomInput) => (await service()).samplesRandom(studio, input),
  'manifold.grid': async (input: ManifoldInput) => (await service()).manifoldGrid(studio, input),
  'latent.map': async (input: LatentMapInput) => (await service()).latentMap(studio, input),
  'model.export': async (input: ModelExportInput) => (await service()).exportModel(studio, input),
  'samples.folder': () => sampleSet()
})
