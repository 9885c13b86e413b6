import type { MorphFrameInput, ReconGridInput, SamplesRandomInput } from '../../shared/contract/viewers'
import { sampleSet } from '../services/samples'
import type { HandlerContext } from './context'

// TensorFlow.js comes in with the first viewer call, not at start-up.
const service = () => import('../services/viewers')

/**
 * The viewers' live calls: a morph frame and the small grids (16 images) answer from a model kept in this
 * process, for latency. The exports that decode or encode many images are job calls (see the contract).
 */
export const viewerHandlers = ({ studio }: HandlerContext) => ({
  'morph.frame': async (input: MorphFrameInput) => (await service()).morphFrame(studio, input),
  'recon.grid': async (input: ReconGridInput) => (await service()).reconGrid(studio, input),
  'samples.random': async (input: SamplesRandomInput) => (await service()).samplesRandom(studio, input),
  'samples.folder': () => sampleSet()
})
