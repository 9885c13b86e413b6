import { describe, expect, it } from 'vitest'
import { aestudio, smallWasmBench } from '../helpers/cli'
import { tempDir } from '../helpers/tmp'

describe('aestudio bench', () => {
  it('reports training images/s on synthetic data as JSON', () => {
    const r = aestudio([...smallWasmBench(2), '--json'], tempDir())
    expect(r.status, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({
      backend: 'wasm',
      model: 'conv',
      upsample: 'transpose',
      size: 16,
      channels: 1,
      latent: 64, // the benchmark network's latent size, not the training default
      batch: 4,
      steps: 2,
      warmupSteps: 4
    })
    expect(out.imagesPerSecond).toBeGreaterThan(0)
    expect(out.stepMs).toBeGreaterThan(0)
    expect(out.notes.some((n: string) => n.startsWith('wasm: SIMD'))).toBe(true)
  })

  it('benchmarks other model kinds too, with human output', () => {
    const r = aestudio(
      [
        'bench',
        '--model',
        'vae',
        '--upsample',
        'resize',
        '--size',
        '16',
        '--batch',
        '2',
        '--steps',
        '1',
        '--latent',
        '8'
      ],
      tempDir()
    )
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^vae \(resize\) 16×16×3, latent 8, batch 2 on \w+:\n {2}[\d.]+ images\/s/)
  })

  it.each([
    [['--model', 'foo'], /--model must be one of conv, dense/],
    [['--channels', '2'], /channels/],
    [['--size', '20'], /multiple of 8/],
    [['--steps', '0'], /--steps must be a whole number/],
    [['--batch', 'x'], /--batch must be a number/]
  ])('rejects bad options %j with exit code 2', (args, message) => {
    const r = aestudio(['bench', ...args], tempDir())
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})
