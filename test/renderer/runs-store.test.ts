// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiError } from '../../src/renderer/src/api/client'
import { useRunsStore } from '../../src/renderer/src/stores/runs'
import { provideApi } from '../../src/renderer/src/studio'
import type { Run } from '../../src/shared/contract/domain'
import { fakeApi } from './fake-api'
import { epochMetrics, run } from './fixtures'

const metrics = (n: number, withVal: boolean) =>
  Array.from({ length: n }, (_, i) =>
    epochMetrics({
      epoch: i + 1,
      loss: 1 / (i + 1),
      valLoss: withVal ? 2 / (i + 1) : null,
      imagesPerSecond: 10
    })
  )

describe('runs store', () => {
  let fake: ReturnType<typeof fakeApi>
  let runs: Run[]
  beforeEach(() => {
    setActivePinia(createPinia())
    runs = [run({ id: 2 }), run({ id: 1 })]
    fake = fakeApi({
      'runs.list': () => runs,
      'runs.metrics': ({ runId }) => metrics(runId === 1 ? 3 : 2, runId === 1),
      'runs.delete': ({ runId }) => {
        runs = runs.filter((r) => r.id !== runId)
        return true
      },
      'shell.showItem': () => {
        throw new ApiError({ code: 'unavailable', message: 'Revealing folders needs the desktop app.' })
      }
    })
    provideApi(fake.api)
  })

  it('compares the validation curves of the ticked runs, fetching each run once', async () => {
    const s = useRunsStore()
    await s.load()
    await s.toggleCompare(1)
    await s.toggleCompare(2)
    expect(s.compareSeries.map((l) => l.label)).toEqual(['run #1 validation', 'run #2 training'])
    expect(s.compareSeries[0].points).toEqual([
      { x: 1, y: 2 },
      { x: 2, y: 1 },
      { x: 3, y: 2 / 3 }
    ])
    await s.toggleCompare(1)
    await s.toggleCompare(1)
    expect(fake.calls.filter((c) => c.name === 'runs.metrics')).toHaveLength(2)
    expect(s.compareSeries.map((l) => l.label)).toEqual(['run #2 training', 'run #1 validation'])
  })

  it('deletes a run and drops it from the comparison', async () => {
    const s = useRunsStore()
    await s.load()
    await s.toggleCompare(2)
    await s.remove(2)
    expect(fake.calls.find((c) => c.name === 'runs.delete')?.input).toEqual({ runId: 2 })
    expect(s.list.map((r) => r.id)).toEqual([1])
    expect(s.selected).toEqual([])
  })

  it('reveals the run folder under the data directory, and says why when it cannot', async () => {
    const s = useRunsStore()
    await s.load()
    await s.reveal(1, '/home/me/.config/Autoencoder Studio')
    expect(fake.calls.at(-1)).toEqual({
      name: 'shell.showItem',
      input: { path: '/home/me/.config/Autoencoder Studio/runs/1' }
    })
    expect(s.rowErrors[1]).toBe('Revealing folders needs the desktop app.')
    await s.reveal(1, 'C:\\Users\\me\\AppData\\Roaming\\Autoencoder Studio')
    expect((fake.calls.at(-1)?.input as { path: string }).path).toBe(
      'C:\\Users\\me\\AppData\\Roaming\\Autoencoder Studio\\runs\\1'
    )
  })
})
