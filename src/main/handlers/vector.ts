import type { TraitSetsInput, VectorComputeInput, VectorFrameInput } from '../../shared/contract/vector'
import { traitSets } from '../services/trait-sets'
import type { HandlerContext } from './context'

// TensorFlow.js comes in with the first vector call, not at start-up.
const service = () => import('../services/vector')

/**
 * The vector view's live calls: compute the attribute vector, a frame at a strength (the GIF is a job call),
 * and the with/without sets of a face dataset by expression (store only, so no TensorFlow.js).
 */
export const vectorHandlers = ({ studio }: HandlerContext) => ({
  'vector.traitSets': (input: TraitSetsInput) => traitSets(studio, input),
  'vector.compute': async (input: VectorComputeInput) => (await service()).computeVector(studio, input),
  'vector.frame': async (input: VectorFrameInput) => (await service()).vectorFrame(studio, input)
})
