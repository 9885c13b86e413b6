// `aestudio train / resume / runs / eval` as a user runs them: real processes, JSON lines, exit codes, and a
// training process killed with SIGKILL.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { EPOCH_REPORT_KEYS } from '../helpers/expectations'
import { describe, expect, it } from 'vitest'
import { aestudio, ROOT } from '../helpers/cli'
import { makeImageFolder } from '../helpers/images'
import { tempDir } from '../helpers/tmp'

const lines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))

const small = ['--size', '16', '--latent', '8', '--batch', '4', '--backend', 'wasm']

/** `aestudio train --json` on a long run in a child process, resolved once its first epoch line is out. */
async function trainingChild(home: string) {
  const folder = join(home, 'pics')
  await makeImageFolder(folder, 12, 16)
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin', 'aestudio.js'), 'train', folder, '--epochs', '500', ...small, '--json'],
    { cwd: ROOT, env: { ...process.env, AESTUDIO_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let stdout = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      if (stdout.includes('"event":"epoch"')) resolve()
    })
    child.on('exit', (code) => reject(new Error(`train exited early (${code})`)))
  })
  return { child, output: () => stdout }
}

describe('aestudio train', () => {
  it('imports a folder, trains, prints epoch JSON lines then done; runs and eval report it', async () => {
    const home = tempDir()
    const folder = join(home, 'pics')
    await makeImageFolder(folder, 12, 16)
    const r = aestudio(['train', folder, '--epochs', '2', ...small, '--json'], home)
    expect(r.status, r.stderr).toBe(0)
    const out = lines(r.stdout)
    expect(out.map((o) => o.event)).toEqual(['epoch', 'epoch', 'done'])
    expect(Object.keys(out[0]).sort()).toEqual(['event', 'runId', ...EPOCH_REPORT_KEYS].sort())
    expect(out[1]).toMatchObject({ epoch: 2, epochs: 2, kl: null })
    expect(out[2]).toMatchObject({ event: 'done', runId: out[0].runId, status: 'done', epochsDone: 2 })

    const runs = aestudio(['runs', '--json'], home)
    expect(runs.status).toBe(0)
    const list = JSON.parse(runs.stdout)
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({
      id: out[0].runId,
      status: 'done',
      model: 'conv',
      latent: 8,
      epochs: 2,
      epochsDone: 2,
      backend: 'wasm'
    })
    expect(list[0].bestValLoss).toBeGreaterThan(0)
    const resplit = aestudio(['train', String(list[0].datasetId), '--val', '0.5'], home)
    expect(resplit.status).toBe(2)
    expect(resplit.stderr).toMatch(/split is chosen at import/)

    const ev = aestudio(['eval', String(out[0].runId), folder, '--json'], home)
    expect(ev.status, ev.stderr).toBe(0)
    const metrics = JSON.parse(ev.stdout)
    expect(Object.keys(metrics).sort()).toEqual(['count', 'mse', 'psnr'])
    expect(metrics.count).toBe(12)
  })

  it('answers unknown ids with exit code 3 and bad usage with 2, in plain words', () => {
    const home = tempDir()
    for (const args of [
      ['eval', '42', home],
      ['resume', '42'],
      ['train', '42']
    ]) {
      const r = aestudio([...args, '--json'], home)
      expect(r.status, args.join(' ')).toBe(3)
      expect(r.stderr).toMatch(/42 was not found/)
      expect(r.stderr).not.toMatch(/\.ts:\d+/)
      expect(JSON.parse(r.stdout)).toMatchObject({ exitCode: 3 })
    }
    expect(aestudio(['resume', 'abc'], home).status).toBe(2)
    expect(aestudio(['train'], home).status).toBe(2)
    const bad = aestudio(['train', home, '--latent', '1'], home)
    expect(bad.status).toBe(1)
    expect(bad.stderr).toMatch(/latent/)
    expect(JSON.parse(aestudio(['runs', '--json'], home).stdout)).toEqual([])
  })

  it('--threads sets the wasm threads a run trains on (recorded in its backend notes); Settings is the default', async () => {
    const home = tempDir()
    const folder = join(home, 'pics')
    await makeImageFolder(folder, 12, 16)
    const one = aestudio(['train', folder, '--epochs', '1', ...small, '--threads', '1', '--json'], home)
    expect(one.status, one.stderr).toBe(0)
    const two = aestudio(['train', '1', '--epochs', '1', ...small, '--threads', '2', '--json'], home)
    expect(two.status, two.stderr).toBe(0)
    const runs = JSON.parse(aestudio(['runs', '--json'], home).stdout) as {
      id: number
      backendNotes: string[]
    }[]
    const notes = (id: number) => runs.find((r) => r.id === id)!.backendNotes
    expect(notes(1)).toContain('wasm: SIMD on, 1 thread (XNNPACK)')
    expect(notes(2)).toContain(
      'wasm: SIMD on, 2 threads (data-parallel: each batch split over 2 model replicas)'
    )
    const bad = aestudio(['train', '1', ...small, '--threads', '0'], home)
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('--threads must be a whole number from 1 to 64, got "0"')
  })

  it('an explicit backend that cannot start fails with its reason before anything is imported or written', async () => {
    const home = tempDir()
    const folder = join(home, 'pics')
    await makeImageFolder(folder, 8, 16)
    // tfjs-node-gpu is never installed here (and there is no CUDA GPU): its reason, exit 1.
    const r = aestudio(['train', folder, '--size', '16', '--backend', 'tensorflow-gpu', '--json'], home)
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/^aestudio train: The tensorflow-gpu backend cannot be used here: \S/)
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
    expect(JSON.parse(aestudio(['runs', '--json'], home).stdout)).toEqual([])
    expect(JSON.parse(aestudio(['datasets', '--json'], home).stdout)).toEqual([])
  })

  it('stops cleanly on Ctrl-C: exit code 130, a done line saying stopped, the checkpoint kept', async () => {
    const home = tempDir()
    const { child, output } = await trainingChild(home)
    child.kill('SIGINT')
    const code = await new Promise((r) => child.on('exit', r))
    expect(code).toBe(130)
    const out = lines(output())
    const last = out[out.length - 1]
    expect(last).toMatchObject({ event: 'done', status: 'stopped' })
    expect(last.epochsDone).toBeGreaterThanOrEqual(1)
    const runs = JSON.parse(aestudio(['runs', '--json'], home).stdout)
    expect(runs[0]).toMatchObject({ status: 'stopped', epochsDone: last.epochsDone })
  })

  it('leaves a run killed with SIGKILL interrupted, and resume continues it at the next epoch, on another backend', async () => {
    const home = tempDir()
    const { child } = await trainingChild(home)
    child.kill('SIGKILL')
    await new Promise((r) => child.on('exit', r))

    const runs = JSON.parse(aestudio(['runs', '--json'], home).stdout)
    expect(runs).toHaveLength(1)
    expect(runs[0].status).toBe('interrupted')
    expect(runs[0].error).toMatch(/stopped unexpectedly/)
    const done = runs[0].epochsDone
    expect(done).toBeGreaterThanOrEqual(1)

    const wrong = aestudio(['resume', String(runs[0].id), '--backend', 'metal'], home)
    expect(wrong.status).toBe(1)
    expect(wrong.stderr).toMatch(
      /"metal" is not a backend; choose one of auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu\./
    )
    expect(runs[0].backend).toBe('wasm')
    const r = aestudio(
      ['resume', String(runs[0].id), '--epochs', String(done + 1), '--backend', 'cpu', '--json'],
      home
    )
    expect(r.status, r.stderr).toBe(0)
    const out = lines(r.stdout)
    expect(out.map((o) => [o.event, o.epoch])).toEqual([
      ['epoch', done + 1],
      ['done', undefined]
    ])
    expect(out[1]).toMatchObject({ status: 'done', epochsDone: done + 1, backend: 'cpu' })
    expect(JSON.parse(aestudio(['runs', '--json'], home).stdout)[0]).toMatchObject({ backend: 'cpu' })
  })
})
