import type { HandlerContext } from './index'
import type { InsightsCompressionInput, InsightsPcaInput } from '../../shared/contract/insights'

// TensorFlow.js comes in with the first call, not at start-up.
const service = () => import('../services/insights')

/** The Insights tab's calls: the PCA baseline and the compression view. */
export const insightsHandlers = ({ studio }: HandlerContext) => ({
  'insights.pca': async (input: InsightsPcaInput) => (await service()).pcaBaseline(studio, input),
  'insights.compression': async (input: InsightsCompressionInput) =>
    (await service()).compressionReport(studio, input)
})
