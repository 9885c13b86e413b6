import type { HandlerContext } from './index'
import type { VectorComputeInput, VectorExportInput, VectorFrameInput } from '../../shared/contract/vector'

// TensorFlow.js comes in with the first vector call, not at start-up.
const service = () => import('../services/vector')

/** The vector view's calls: compute the attribute vector, a live frame at a strength, the GIF. */
export const vectorHandlers = ({ studio }: HandlerContext) => ({
  'vector.compute': async (input: VectorComputeInput) => (await service()).computeVector(studio, input),
  'vector.frame': async (input: VectorFrameInput) => (await service()).vectorFrame(studio, input),
  'vector.export': async (input: VectorExportInput) => (await service()).vectorExport(studio, input)
})
