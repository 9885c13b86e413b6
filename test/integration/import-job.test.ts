import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { EventHub } from '../../src/main/rpc/events'
import { dispatch } from '../../src/main/rpc/dispatch'
import { createHandlers } from '../../src/main/handlers/index'
import { JobCrashedError, JobHost } from '../../src/main/jobs/host'
import type { ImportProgress } from '../../src/shared/contract/datasets'
import { loadTrainingData } from '../../src/main/services/datasets'
import { openStudio } from '../../src/main/services/studio'
import { makeImageFolder } from '../helpers/images'
import { tempDir } from '../helpers/tmp'

describe('import job', () => {
  it('runs in a child process through the contract and relays progress events', async () => {
    const dir = tempDir()
    await makeImageFolder(dir, 12, 24)
    const studio = openStudio({ home: tempDir() })
    const events = new EventHub()
    const progress: ImportProgress[] = []
    events.subscribe((name, payload) => {
      if (name === 'datasets.progress') progress.push(payload as ImportProgress)
    })
    try {
      const handlers = createHandlers({ studio, events })
      const r = await dispatch(handlers, 'datasets.import', { paths: [dir], size: 8 })
      expect(r.ok, JSON.stringify(r)).toBe(true)
      expect(r.ok && r.value).toMatchObject({
        datasetId: 1,
        imported: 12,
        duplicates: 0,
        skipped: [],
        decoded: 12
      })
      expect(progress.length).toBeGreaterThan(0)
      expect(progress.at(-1)).toMatchObject({ done: 12, total: 12, jobId: 1 })
      // The parent's store sees what the child committed.
      expect(
        (await loadTrainingData(studio, 1)).trainCount + (await loadTrainingData(studio, 1)).valCount
      ).toBe(12)
      const bad = await dispatch(handlers, 'datasets.import', { paths: [dir], size: 10 })
      expect(bad).toMatchObject({ ok: false, error: { code: 'validation' } })
      const missing = await dispatch(handlers, 'datasets.import', { paths: [dir + '-gone'] })
      expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } })
      const images = await dispatch(handlers, 'datasets.images', { datasetId: 1, limit: 5 })
      expect(images).toMatchObject({ ok: true, value: { total: 12 } })

      // Cancelling from the UI stops the job; the dataset stays as it was.
      await makeImageFolder(`${dir}/more`, 30, 64, 'jpeg')
      const stop = events.subscribe((name) => {
        if (name === 'datasets.progress') void dispatch(handlers, 'datasets.cancelImport', {})
      })
      const cancelled = await dispatch(handlers, 'datasets.import', { paths: [dir], size: 8 })
      stop()
      expect(cancelled).toMatchObject({ ok: false, error: { code: 'cancelled' } })
      expect(studio.store.datasets.get(1)?.imageCount).toBe(12)
      expect(await dispatch(handlers, 'datasets.cancelImport', {})).toEqual({ ok: true, value: false })
    } finally {
      studio.close()
    }
  })

  it('survives the job process being killed mid-import: old dataset intact, database ok', async () => {
    const dir = tempDir()
    const home = tempDir()
    await makeImageFolder(dir, 6, 24)
    const studio = openStudio({ home })
    try {
      const host = new JobHost(home)
      const first = (await host.start('import', { jobId: 1, options: { paths: [dir], size: 8 } }, () => {})
        .result) as {
        datasetId: number
      }
      const before = await loadTrainingData(studio, first.datasetId)

      await makeImageFolder(`${dir}/more`, 40, 64, 'jpeg')
      let job: ReturnType<JobHost['start']> | undefined = undefined
      job = host.start('import', { jobId: 2, options: { paths: [dir], size: 8 } }, (_name, p) => {
        if ((p as ImportProgress).done > 6) job?.kill()
      })
      await expect(job.result).rejects.toBeInstanceOf(JobCrashedError)

      expect(await loadTrainingData(studio, first.datasetId)).toEqual(before)
      expect(studio.store.datasets.get(first.datasetId)?.imageCount).toBe(6)
      expect(studio.store.db.pragma('integrity_check', { simple: true })).toBe('ok')
      // And the next import finishes the job.
      const again = (await host.start('import', { jobId: 1, options: { paths: [dir], size: 8 } }, () => {})
        .result) as {
        imported: number
      }
      expect(again.imported).toBe(46)
      // The killed job's staging folder is cleaned up by the next import.
      expect(readdirSync(studio.paths.datasets).filter((f) => f.startsWith('.import-'))).toEqual([])
    } finally {
      studio.close()
    }
  })
})
