// Training through the app's path: handlers → JobHost → a forked job process, events relayed to the EventHub.
import { afterEach, describe, expect, it } from 'vitest'
import type { Emit } from '../../src/shared/contract/index'
import { createHandlers } from '../../src/main/handlers/index'
import { JobHost, type JobHandle } from '../../src/main/jobs/host'
import type { JobKind } from '../../src/main/jobs/protocol'
import { EventHub } from '../../src/main/rpc/events'
import type { Studio } from '../../src/main/services/studio'
import { parseTrainConfig } from '../../src/shared/config'
import { importedStudio } from '../helpers/studio'

/** A JobHost that remembers its jobs, so the test can kill one like a crash would. */
class RecordingHost extends JobHost {
  readonly handles: JobHandle[] = []
  override start(kind: JobKind, params: unknown, emit: Emit): JobHandle {
    const h = super.start(kind, params, emit)
    this.handles.push(h)
    return h
  }
}

let studio: Studio | undefined
let jobHost: RecordingHost | undefined
afterEach(() => {
  for (const h of jobHost?.handles ?? []) h.kill()
  studio?.close()
})

async function setup() {
  const s = await importedStudio()
  studio = s.studio
  const { home, datasetId } = s
  const events = new EventHub()
  const seen: { name: string; payload: Record<string, unknown> }[] = []
  events.subscribe((name, payload) => void seen.push({ name, payload: payload as Record<string, unknown> }))
  const jobs = new RecordingHost(home)
  jobHost = jobs
  const handlers = createHandlers({ studio, events }, jobs)
  /** The first event from index `from` of `seen` on (past or future) that matches. */
  const waitFor = (pred: (e: (typeof seen)[number]) => boolean, from = 0, timeout = 60_000) =>
    new Promise<(typeof seen)[number]>((resolve, reject) => {
      const found = seen.slice(from).find(pred)
      if (found) return resolve(found)
      const timer = setTimeout(() => reject(new Error('timed out waiting for an event')), timeout)
      const off = events.subscribe((name, payload) => {
        const e = { name, payload: payload as Record<string, unknown> }
        if (pred(e)) {
          clearTimeout(timer)
          off()
          resolve(e)
        }
      })
    })
  const config = parseTrainConfig({
    model: 'conv',
    size: 16,
    channels: 3,
    latent: 8,
    epochs: 500,
    batch: 4,
    backend: 'wasm'
  })
  return { studio, datasetId, handlers, seen, waitFor, jobs, config }
}

const status = (s: string) => (e: { name: string; payload: Record<string, unknown> }) =>
  e.name === 'training.status' && e.payload.status === s

describe('training in a job process', () => {
  it('pauses, resumes and stops a run through the JobHost, relaying its events', async () => {
    const { studio, datasetId, handlers, seen, waitFor, config } = await setup()
    const run = handlers['training.start']({ datasetId, config })
    expect(run.status).toBe('queued')
    await waitFor((e) => e.name === 'training.epoch' && e.payload.runId === run.id)
    expect(studio.store.runs.get(run.id)!.status).toBe('running')
    expect(seen.filter((e) => e.name === 'training.status').map((e) => e.payload.status)).toEqual([
      'queued',
      'running'
    ])

    handlers['training.pause']({ runId: run.id })
    await waitFor(status('paused'))
    expect(studio.store.runs.get(run.id)!.status).toBe('paused')
    const before = seen.filter((e) => e.name === 'training.batch' || e.name === 'training.epoch').length
    await new Promise((r) => setTimeout(r, 700))
    expect(seen.filter((e) => e.name === 'training.batch' || e.name === 'training.epoch').length).toBe(before)

    const mark = seen.length
    handlers['training.resume']({ runId: run.id })
    await waitFor(status('running'), mark)
    await waitFor((e) => e.name === 'training.batch', mark)

    handlers['training.stop']({ runId: run.id })
    await waitFor(status('stopped'))
    await new Promise((r) => setTimeout(r, 300))
    const after = studio.store.runs.get(run.id)!
    expect(after.status).toBe('stopped')
    expect(after.epochsDone).toBeGreaterThanOrEqual(1)
    expect(studio.store.artifacts.checkpoint(run.id, 'last')!.epoch).toBe(after.epochsDone)
    expect(() => handlers['training.stop']({ runId: run.id })).toThrow(/not training/)
    expect(() => handlers['training.pause']({ runId: 999 })).toThrow(/Run 999 was not found/)
    expect(handlers['runs.delete']({ runId: run.id })).toBe(true)
    expect(handlers['runs.list']()).toEqual([])
  })

  it('marks a run interrupted when its job process dies, and resumes it from the last checkpoint', async () => {
    const { studio, datasetId, handlers, waitFor, jobs, config } = await setup()
    const run = handlers['training.start']({ datasetId, config })
    await waitFor((e) => e.name === 'training.epoch' && e.payload.runId === run.id)
    jobs.handles[0].kill()
    const ev = await waitFor(status('interrupted'))
    expect(ev.payload.error).toMatch(/stopped unexpectedly \(signal SIGKILL\)/)
    const dead = studio.store.runs.get(run.id)!
    expect(dead.status).toBe('interrupted')

    // A second run, killed, then resumed: it continues at the epoch after its last checkpoint.
    const again = handlers['training.start']({ datasetId, config: { ...config, epochs: 500 } })
    await waitFor((e) => e.name === 'training.epoch' && e.payload.runId === again.id)
    jobs.handles[1].kill()
    await waitFor((e) => status('interrupted')(e) && e.payload.runId === again.id)
    const done = studio.store.runs.get(again.id)!.epochsDone
    handlers['training.resume']({ runId: again.id, epochs: done + 1 })
    const next = await waitFor(
      (e) => e.name === 'training.epoch' && e.payload.runId === again.id && e.payload.epoch === done + 1
    )
    expect(next.payload.epochs).toBe(done + 1)
    await waitFor((e) => status('done')(e) && e.payload.runId === again.id)
    expect(studio.store.runs.get(again.id)).toMatchObject({ status: 'done', epochsDone: done + 1 })
  })
})
