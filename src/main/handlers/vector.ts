import type { VectorComputeInput, VectorFrameInput } from '../../shared/contract/vector'
import type { HandlerContext } from './context'

// TensorFlow.js comes in with the first vector call, not at start-up.
const service = () => import('../services/vector')

/** The vector view's live calls: compute the attribute vector, a frame at a strength (the GIF is a job call). */
export const vectorHandlers = ({ studio }: HandlerContext) => ({
  'vector.compute': async (input: VectorComputeInput) => (await service()).computeVector(studio, input),
  'vector.frame': async (input: VectorFrameInput) => (await service()).vectorFrame(studio, input)
})
