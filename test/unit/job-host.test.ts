import { describe, expect, it } from 'vitest'
import { JobHost } from '../../src/main/jobs/host'
import { tempDir } from '../helpers/tmp'

describe('JobHost with child processes', () => {
  it('reports a failing job and tolerates control messages after the process is gone', async () => {
    const host = new JobHost(tempDir())
    const events: string[] = []
    const job = host.start('import', { paths: ['/definitely/not/here'] }, (name) => events.push(name))
    await expect(job.result).rejects.toThrow()
    // Let the child exit (it leaves ~50 ms after reporting), then poke it: an unhandled 'Channel closed' error
    // here would fail the test run.
    await new Promise((r) => setTimeout(r, 400))
    expect(() => job.control('stop')).not.toThrow()
    await new Promise((r) => setTimeout(r, 200))
  })
})
