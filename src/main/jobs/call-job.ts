import type { CallName } from '../../shared/contract/index'
import { StudioError } from '../../shared/errors'
import { dispatch } from '../rpc/dispatch'
import { jobCallHandlers } from '../services/job-calls'
import type { JobFn } from './job-context'

/** What the owner sends to run one `job` call of the contract here. */
export interface CallJobParams {
  name: CallName
  input: unknown
}

/**
 * The `call` job: one contract call marked `job` (a morph GIF, PCA over a whole split, restoring many images),
 * validated and run exactly as the owner would have run it, so its error codes cross the process boundary.
 */
export const callJob: JobFn = async (params, ctx) => {
  const { name, input } = params as CallJobParams
  const result = await dispatch(jobCallHandlers(ctx.studio, ctx.emit), name, input)
  if (!result.ok) throw new StudioError(result.error.code, result.error.message)
  return result.value
}
