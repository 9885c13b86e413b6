import type { HandlerContext } from './index'
import type { RestoreInput } from '../../shared/contract/restore'

// TensorFlow.js comes in with the first restore call, not at start-up.
const service = () => import('../services/restore')

/** The Restore view's calls: colourise grey images, clean marked ones. */
export const restoreHandlers = ({ studio }: HandlerContext) => ({
  'restore.colorize': async (input: RestoreInput) => (await service()).colorizeImages(studio, input),
  'restore.clean': async (input: RestoreInput) => (await service()).cleanImages(studio, input)
})
