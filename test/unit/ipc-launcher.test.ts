import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import type { FromJob, ToJob } from '../../src/main/jobs/protocol'

// A stand-in for Electron's utilityProcess: a child that starts asynchronously ('spawn') and can die.
class FakeChild extends EventEmitter {
  pid: number | undefined = undefined
  posted: ToJob[] = []
  /** The ports sent along with each posted message (ids of the stand-in ports). */
  ports: string[][] = []
  killed = false
  postMessage(msg: ToJob, ports: { id: string }[] = []) {
    if (this.pid === undefined) throw new Error('posted before spawn')
    this.posted.push(msg)
    this.ports.push(ports.map((p) => p.id))
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

  it("answers a job's GPU port request from the GPU window, tells it when the page is gone, releases on exit", async () => {
    const calls: string[] = []
    let gone: ((reason: string) => void) | undefined
    const port = { id: 'p2', closed: false, close: () => void (port.closed = true) }
    const gpu = {
      connect: async (holder: object, onGone: (reason: string) => void) => {
        calls.push(holder === lastChild() ? 'connect(child)' : 'connect(?)')
        gone = onGone
        return port as never
      },
      release: (holder: object) => void calls.push(holder === lastChild() ? 'release(child)' : 'release(?)')
    }
    const host = new JobHost('/data', electronLauncher('/app/out/main/jobs.js', {}, gpu))
    const job = host.start('train', { runId: 3 }, () => {})
    const child = lastChild()
    spawn(child)
    child.emit('message', { type: 'gpu-port-request' } satisfies FromJob)
    await new Promise((r) => setTimeout(r, 0))
    expect(calls).toEqual(['connect(child)'])
    expect(child.posted.at(-1)).toEqual({ type: 'gpu-port' })
    expect(child.ports.at(-1)).toEqual(['p2'])
    gone!('the GPU worker window crashed (oom, exit code 9)')
    expect(child.posted.at(-1)).toEqual({
      type: 'gpu-gone',
      reason: 'the GPU worker window crashed (oom, exit code 9)'
    })
    child.emit('message', { type: 'done', result: null } satisfies FromJob)
    child.emit('exit', 0)
    await expect(job.result).resolves.toBeNull()
    expect(calls).toEqual(['connect(child)', 'release(child)'])
    // After the exit nothing more is posted to the dead process.
    gone!('late')
    expect(child.posted.at(-1)).toMatchObject({
      type: 'gpu-gone',
      reason: 'the GPU worker window crashed (oom, exit code 9)'
    })
  })

  it('refuses a GPU port in plain words when there is no GPU window or it failed to load', async () => {
    const bare = new JobHost('/data', electronLauncher('/app/out/main/jobs.js'))
    bare.start('train', {}, () => {})
    const a = lastChild()
    spawn(a)
    a.emit('message', { type: 'gpu-port-request' } satisfies FromJob)
    expect(a.posted.at(-1)).toEqual({
      type: 'gpu-port-refused',
      message: 'this app has no GPU worker window'
    })

    const failing = {
      connect: () => Promise.reject(new Error('the GPU worker page did not load: ERR_FILE_NOT_FOUND')),
      release: () => {}
    }
    new JobHost('/data', electronLauncher('/app/out/main/jobs.js', {}, failing)).start('train', {}, () => {})
    const b = lastChild()
    spawn(b)
    b.emit('message', { type: 'gpu-port-request' } satisfies FromJob)
    await new Promise((r) => setTimeout(r, 0))
    expect(b.posted.at(-1)).toEqual({
      type: 'gpu-port-refused',
      message: 'the GPU worker page did not load: ERR_FILE_NOT_FOUND'
    })
  })
})
