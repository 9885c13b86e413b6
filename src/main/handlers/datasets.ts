import type { ImportOptions } from '../../shared/contract/datasets'
import type { JobHandle } from '../jobs/host'
import type { ImportJobParams } from '../jobs/import-job'
import {
  datasetImages,
  deleteDataset,
  excludeImage,
  getDataset,
  listDatasets,
  skippedFiles
} from '../services/datasets'
import type { ImportResult } from '../services/datasets'
import { sourcePhoto } from '../services/source-photo'
import type { HandlerContext } from './context'

/**
 * Dataset calls. An import runs in a job process (sharp's decoding never touches this event loop); its
 * progress is pushed as 'datasets.progress' tagged with the job id, and cancelImport stops it cleanly.
 */
export function datasetHandlers({ studio, events, jobs }: HandlerContext) {
  const running = new Map<number, JobHandle>()
  let nextJobId = 1
  return {
    'datasets.list': () => listDatasets(studio),
    'datasets.get': ({ datasetId }: { datasetId: number }) => getDataset(studio, datasetId),
    'datasets.import': async (options: ImportOptions) => {
      const jobId = nextJobId++
      const job = jobs.start('import', { jobId, options } satisfies ImportJobParams, events.emit)
      running.set(jobId, job)
      try {
        return (await job.result) as ImportResult
      } finally {
        running.delete(jobId)
      }
    },
    'datasets.cancelImport': (input?: { jobId?: number }) => {
      const targets = input?.jobId
        ? [running.get(input.jobId)].filter((j) => j !== undefined)
        : [...running.values()]
      for (const job of targets) job.control('stop')
      return targets.length > 0
    },
    'datasets.images': ({ datasetId, offset, limit }: { datasetId: number; offset: number; limit: number }) =>
      datasetImages(studio, datasetId, { offset, limit }),
    'datasets.skipped': ({ datasetId }: { datasetId: number }) => skippedFiles(studio, datasetId),
    'datasets.exclude': ({ imageId, excluded }: { imageId: number; excluded: boolean }) =>
      excludeImage(studio, imageId, excluded),
    'datasets.delete': ({ datasetId }: { datasetId: number }) => deleteDataset(studio, datasetId),
    'datasets.sourcePhoto': (input: { imageId: number; maxSide?: number }) => sourcePhoto(studio, input)
  }
}
