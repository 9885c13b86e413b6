import { describe, expect, it } from 'vitest'
import { createProgress, formatDuration } from '../../src/main/cli/progress'
import type { CliIO } from '../../src/main/cli/command'

const fakeStream = () => {
  const chunks: string[] = []
  return {
    chunks,
    stream: { write: (s: string) => chunks.push(s), columns: 200 } as unknown as NodeJS.WriteStream
  }
}
const io = (interactive: boolean, errs: string[] = []): CliIO => ({
  out: () => {},
  err: (t) => void errs.push(t),
  interactive
})

describe('createProgress', () => {
  it('draws done/total, rate and ETA on a terminal', () => {
    let t = 0
    const { chunks, stream } = fakeStream()
    const errs: string[] = []
    const p = createProgress(io(true, errs), 'Importing', { now: () => t, stream })
    t = 2000
    p.update(10, 30, 'a.jpg')
    expect(chunks.at(-1)).toMatch(/Importing .* 10\/30 {2}5\.0\/s {2}ETA 4s {2}a\.jpg/)
    t = 2050
    p.update(11, 30) // throttled
    expect(chunks).toHaveLength(1)
    p.done('Imported 30 images')
    expect(chunks.at(-1)).toBe('\r\x1b[K')
    expect(errs).toEqual(['Imported 30 images'])
  })

  it('stays silent when stderr is not a terminal', () => {
    const { chunks, stream } = fakeStream()
    const errs: string[] = []
    const p = createProgress(io(false, errs), 'Importing', { stream })
    p.update(1, 2)
    p.done('finished')
    expect(chunks).toEqual([])
    expect(errs).toEqual([])
  })

  it('formats durations for people', () => {
    expect(formatDuration(42)).toBe('42s')
    expect(formatDuration(185)).toBe('3m05s')
    expect(formatDuration(3720)).toBe('1h02m')
    expect(formatDuration(Infinity)).toBe('?')
  })
})
