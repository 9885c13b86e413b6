import { describe, expect, it } from 'vitest'
import { JobHost, type JobProcess } from '../../src/main/jobs/host'
import type { FromJob, ToJob } from '../../src/main/jobs/protocol'
import { StudioError } from '../../src/shared/errors'
import { tempDir } from '../helpers/tmp'

describe('JobHost with child processes', () => {
  it('reports a failing job with its error code, and tolerates control messages after the process is gone', async () => {
    const host = new JobHost(tempDir())
    const job = host.start('import', { jobId: 1, options: { paths: ['/definitely/not/here'] } }, () => {})
    const err = await job.result.catch((e: unknown) => e)
    // The job's own error, code and message intact across the process boundary.
    expect(err).toBeInstanceOf(StudioError)
    expect(err).toMatchObject({ code: 'not_found', message: '/definitely/not/here does not exist.' })
    // Let the child exit (it leaves ~50 ms after reporting), then poke it: a 'Channel closed' error raised here
    // (synchronously or as an uncaught error a moment later) would fail the test run.
    await new Promise((r) => setTimeout(r, 400))
    expect(host.running).toBe(0)
    const uncaught: unknown[] = []
    const onUncaught = (e: unknown) => uncaught.push(e)
    process.on('uncaughtException', onUncaught)
    try {
      job.control('stop')
      await new Promise((r) => setTimeout(r, 200))
    } finally {
      process.off('uncaughtException', onUncaught)
    }
    expect(uncaught).toEqual([])
  })

  it('kills every job still running on killAll, each settling as a crash', async () => {
    const killed: string[] = []
    const launcher = (): JobProcess => {
      let exit: ((code: number | null, signal: string | null) => void) | undefined
      return {
        pid: 4000 + killed.length,
        send: (_msg: ToJob) => {},
        onMessage: (_fn: (msg: FromJob) => void) => {},
        onExit: (fn) => void (exit = fn),
        kill: () => {
          killed.push('kill')
          exit?.(null, 'SIGKILL')
        }
      }
    }
    const host = new JobHost(tempDir(), launcher)
    const a = host.start('train', { runId: 1 }, () => {})
    const b = host.start('call', { name: 'runs.eval', input: {} }, () => {})
    expect(host.running).toBe(2)
    host.killAll()
    await expect(a.result).rejects.toThrow('The job process stopped unexpectedly (signal SIGKILL).')
    await expect(b.result).rejects.toThrow('The job process stopped unexpectedly (signal SIGKILL).')
    expect(killed).toEqual(['kill', 'kill'])
    expect(host.running).toBe(0)
  })
})
