import type { ImportOptions } from '../../shared/contract/datasets'
import { importFolder } from '../services/datasets'
import type { JobFn } from './context'

/** The 'import' job: runs an import in the job process, relaying progress events to whoever started it. */
export const importJob: JobFn = (params, ctx) =>
  importFolder(ctx.studio, params as ImportOptions, { emit: ctx.emit, control: ctx.control })
