import type { ImportOptions } from '../../shared/contract/datasets'
import { importFolder } from '../services/datasets'
import type { JobFn } from './job-context'

/** What the owner sends: the import's options, and the id its progress events are tagged with. */
export interface ImportJobParams {
  jobId: number
  options: ImportOptions
}

/** The 'import' job: runs an import in the job process, pushing its progress to whoever started it. */
export const importJob: JobFn = (params, ctx) => {
  const { jobId, options } = params as ImportJobParams
  return importFolder(ctx.studio, options, {
    control: ctx.control,
    onProgress: (p) => ctx.emit('datasets.progress', { ...p, jobId })
  })
}
