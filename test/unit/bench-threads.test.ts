import { describe, expect, it } from 'vitest'
import { aestudio, smallWasmBench } from '../helpers/cli'
import { tempDir } from '../helpers/tmp'

const small = smallWasmBench(1)

describe('aestudio bench --threads', () => {
  it.each([
    [['--threads', '1'], 1, 'wasm: SIMD on, 1 thread (XNNPACK)'],
    // As the train job trains: the threads as data-parallel replicas.
    [
      ['--threads', '2'],
      2,
      'wasm: SIMD on, 2 threads (data-parallel: each batch split over 2 model replicas)'
    ],
    [['--threads', '2', '--split', 'kernels'], 2, 'wasm: SIMD on, 2 threads (XNNPACK)']
  ])('%j trains wasm on %i thread(s) and says so in the JSON', (args, threads, note) => {
    const r = aestudio([...small, ...args, '--json'], tempDir())
    expect(r.status, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ backend: 'wasm', threads, notes: [note] })
    expect(out.imagesPerSecond).toBeGreaterThan(0)
  })

  it.each([
    [['--threads', '0'], '--threads must be a whole number from 1 to 64, got "0"'],
    [['--threads', '1.5'], '--threads must be a whole number from 1 to 64, got "1.5"'],
    [['--threads', 'x'], '--threads must be a number, got "x"'],
    [['--split', 'rows'], '--split must be one of kernels, batch, got "rows"']
  ])('rejects %j with exit code 2', (args, message) => {
    const r = aestudio([...small, ...args], tempDir())
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(message)
  })
})
