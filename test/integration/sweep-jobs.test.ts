// A sweep through the app's path: sweep handlers → JobHost → one job process per run, one after another, with
// sweep.progress and the runs' training.* events relayed to the EventHub; and a sweep stopped part way.
import { afterEach, describe, expect, it } from 'vitest'
import { createHandlers } from '../../src/main/handlers/index'
import { JobHost } from '../../src/main/jobs/host'
import { EventHub } from '../../src/main/rpc/events'
import type { Studio } from '../../src/main/services/studio'
import { isAlive } from '../../src/main/util/process'
import { parseTrainConfig } from '../../src/shared/config'
import type { Sweep, SweepProgress } from '../../src/shared/contract/sweep'
import { importedStudio } from '../helpers/studio'

let studio: Studio | undefined
afterEach(() => studio?.close())

async function setup() {
  const s = await importedStudio({ count: 12, channels: 1 })
  studio = s.studio
  const { home, datasetId } = s
  const events = new EventHub()
  const seen: { name: string; payload: unknown }[] = []
  events.subscribe((name, payload) => void seen.push({ name, payload }))
  const handlers = createHandlers({ studio, events }, new JobHost(home))
  /** Resolves with the first sweep.progress (past or future) that matches. */
  const progress = (pred: (p: SweepProgress) => boolean, timeout = 60_000) =>
    new Promise<SweepProgress>((resolve, reject) => {
      const found = seen.find((e) => e.name === 'sweep.progress' && pred(e.payload as SweepProgress))
      if (found) return resolve(found.payload as SweepProgress)
      const timer = setTimeout(() => reject(new Error('timed out waiting for sweep.progress')), timeout)
      const off = events.subscribe((name, payload) => {
        if (name === 'sweep.progress' && pred(payload as SweepProgress)) {
          clearTimeout(timer)
          off()
          resolve(payload as SweepProgress)
        }
      })
    })
  return { studio, datasetId, handlers, seen, progress }
}

const config = (epochs: number) =>
  parseTrainConfig({ model: 'conv', size: 16, channels: 1, epochs, batch: 4, backend: 'wasm' })

describe('sweeps in job processes', () => {
  it('trains one job per latent size in order and records each error', async () => {
    const { studio, datasetId, handlers, seen, progress } = await setup()
    const started: Sweep = await handlers['sweep.start']({ datasetId, config: config(1), latents: [4, 2] })
    expect(started.status).toBe('running')
    const last = await progress((p) => p.sweep.status !== 'running')
    expect(last.sweep.status).toBe('done')
    expect(last.sweep.results.map((r) => r.latent)).toEqual([4, 2])
    for (const r of last.sweep.results) {
      expect(r.valMse).toBeGreaterThan(0)
      expect(studio.store.runs.get(r.runId)!.config.latent).toBe(r.latent)
    }
    const runIds = last.sweep.results.map((r) => r.runId)
    // Each run's epochs arrive as training.epoch like any run's; the second starts after the first ends.
    const epochs = seen
      .filter((e) => e.name === 'training.epoch')
      .map((e) => (e.payload as { runId: number }).runId)
    expect(epochs).toEqual(runIds)
    expect(await handlers['sweep.get']({ sweepId: started.id })).toEqual(last.sweep)
    expect((await handlers['sweep.list']()).map((s) => s.id)).toEqual([started.id])
  })

  it('stops part way: the running job stops, no further size starts, and finished sizes stay', async () => {
    const { studio, datasetId, handlers, progress, seen } = await setup()
    const started = await handlers['sweep.start']({ datasetId, config: config(400), latents: [2, 4, 8] })
    const first = await progress((p) => p.runStatus === 'running')
    // A sweep's run is an ordinary run of the one training host: Pause and Resume work on it.
    const runId = first.runId!
    const statusOf = (status: string) =>
      seen.some(
        (e) =>
          e.name === 'training.status' &&
          (e.payload as { runId: number; status: string }).runId === runId &&
          (e.payload as { status: string }).status === status
      )
    await handlers['training.pause']({ runId })
    await expect.poll(() => studio.store.runs.get(runId)!.status, { timeout: 30_000 }).toBe('paused')
    expect(statusOf('paused')).toBe(true)
    await handlers['training.resume']({ runId })
    await expect.poll(() => studio.store.runs.get(runId)!.status, { timeout: 30_000 }).toBe('running')
    await handlers['sweep.stop']({ sweepId: started.id })
    const last = await progress((p) => p.sweep.status !== 'running')
    expect(last.sweep.status).toBe('stopped')
    expect(last.sweep.results).toEqual([])
    expect(studio.store.runs.get(first.runId!)!.status).toBe('stopped')
    expect(studio.store.runs.list()).toHaveLength(1)
    await expect(handlers['sweep.stop']({ sweepId: started.id })).rejects.toThrow(/not training/)
  })

  it('marks a sweep interrupted when the process that ran it is gone', async () => {
    const { studio, datasetId, handlers } = await setup()
    // A sweep row left 'running' by a process that died (a pid no process has).
    const s = studio.store.sweeps.create(datasetId, config(1), [2], 2 ** 22 + 12345)
    expect(isAlive(2 ** 22 + 12345)).toBe(false)
    expect(studio.store.sweeps.get(s.id)!.status).toBe('running')
    // Asking through the contract is what notices it.
    expect(await handlers['sweep.get']({ sweepId: s.id })).toMatchObject({ id: s.id, status: 'interrupted' })
    expect((await handlers['sweep.list']()).find((x) => x.id === s.id)?.status).toBe('interrupted')
  })
})
