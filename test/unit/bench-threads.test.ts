import { describe, expect, it } from 'vitest'
import { aestudio } from '../helpers/cli'
import { tempDir } from '../helpers/tmp'

const small = [
  'bench',
  '--size',
  '16',
  '--channels',
  '1',
  '--batch',
  '4',
  '--steps',
  '1',
  '--backend',
  'wasm'
]

describe('aestudio bench --threads', () => {
  it.each([
    [1, 'wasm: SIMD on, 1 thread (XNNPACK)'],
    [2, 'wasm: SIMD on, 2 threads (XNNPACK)']
  ])('trains wasm on %i thread(s) and says so in the JSON', (threads, note) => {
    const r = aestudio([...small, '--threads', String(threads), '--json'], tempDir())
    expect(r.status, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ backend: 'wasm', threads, notes: [note] })
    expect(out.imagesPerSecond).toBeGreaterThan(0)
  })

  it.each(['0', '1.5', 'x'])('rejects --threads %s with exit code 2', (bad) => {
    const r = aestudio([...small, '--threads', bad], tempDir())
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/--threads must be a (whole number of at least 1|number), got "/)
  })
})
