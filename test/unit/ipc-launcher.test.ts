import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import type { FromJob, ToJob } from '../../src/main/jobs/protocol'

// A stand-in for Electron's utilityProcess: a child that starts asynchronously ('spawn') and can die.
class FakeChild extends EventEmitter {
  pid: number | undefined = undefined
  posted: ToJob[] = []
  killed = false
  postMessage(msg: ToJob) {
    if (this.pid === undefined) throw new Error('posted before spawn')
    this.posted.push(msg)
  }
  kill() {
    this.killed = true
    this.emit('exit', 9)
  }
}
const forks = vi.hoisted(
  () => [] as { entry: string; options: { env?: Record<string, string> }; child: unknown }[]
)
vi.mock('electron', () => ({
  utilityProcess: {
    fork: (entry: string, _args: string[], options: { env?: Record<string, string> }) => {
      const child = new FakeChild()
      forks.push({ entry, options, child })
      return child
    }
  }
}))

const { electronLauncher } = await import('../../src/main/jobs/launcher-electron')
const { JobCrashedError, JobHost } = await import('../../src/main/jobs/host')

const lastChild = () => forks.at(-1)!.child as FakeChild
const spawn = (child: FakeChild, pid = 4242) => {
  child.pid = pid
  child.emit('spawn')
}

describe('utilityProcess job launcher', () => {
  it('starts the job entry, holds messages until the process is up, and relays results and events', async () => {
    const host = new JobHost(
      '/data',
      electronLauncher('/app/out/main/jobs.js', { AESTUDIO_SQLITE_BINDING: '/x.node' })
    )
    const events: unknown[] = []
    const job = host.start('train', { runId: 1 }, (name, payload) => events.push([name, payload]))
    const child = lastChild()
    expect(forks.at(-1)!.entry).toBe('/app/out/main/jobs.js')
    expect(forks.at(-1)!.options.env?.AESTUDIO_SQLITE_BINDING).toBe('/x.node')
    job.control('pause')
    spawn(child)
    expect(child.posted).toEqual([
      { type: 'start', kind: 'train', home: '/data', params: { runId: 1 } },
      { type: 'control', action: 'pause' }
    ])
    expect(job.pid).toBe(4242)
    job.control('resume')
    expect(child.posted.at(-1)).toEqual({ type: 'control', action: 'resume' })
    child.emit('message', {
      type: 'event',
      name: 'training.preview',
      payload: { runId: 1, epoch: 1, file: 'runs/1/previews/epoch-0001.png' }
    } satisfies FromJob)
    child.emit('message', { type: 'done', result: { ok: 1 } } satisfies FromJob)
    child.emit('exit', 0)
    await expect(job.result).resolves.toEqual({ ok: 1 })
    expect(events).toEqual([
      ['training.preview', { runId: 1, epoch: 1, file: 'runs/1/previews/epoch-0001.png' }]
    ])
  })

  it('reports a crashed job process as JobCrashedError, so its run can be marked interrupted', async () => {
    const host = new JobHost('/data', electronLauncher('/app/out/main/jobs.js'))
    const job = host.start('import', {}, () => {})
    const child = lastChild()
    spawn(child)
    child.emit('exit', 134)
    const err = await job.result.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(JobCrashedError)
    expect((err as Error).message).toMatch(/exit code 134/)
  })

  it('kills the process on request', async () => {
    const host = new JobHost('/data', electronLauncher('/app/out/main/jobs.js'))
    const job = host.start('train', {}, () => {})
    spawn(lastChild())
    job.kill()
    expect(lastChild().killed).toBe(true)
    await expect(job.result).rejects.toBeInstanceOf(JobCrashedError)
  })
})
