// Processes training on wasm threads end the way they would on one thread: the threads (XNNPACK's pool, or the
// data-parallel replicas) never keep a process alive, hold up process.exit, or outlive it.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/cli'

interface Ended {
  code: number | null
  signal: NodeJS.Signals | null
  out: string
  err: string
  pid: number
}

/** Runs the child helper; `onThreads` gets it once it reports its threads (to kill it mid-training). */
function child(mode: string, split: string, onThreads?: (pid: number) => void): Promise<Ended> {
  const p = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'test/helpers/wasm-threads-child.ts'), mode, split],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe']
    }
  )
  let out = ''
  let err = ''
  p.stdout.on('data', (d: Buffer) => {
    out += d
    if (onThreads && out.includes('threads 2\n')) {
      const fn = onThreads
      onThreads = undefined
      // Let it get into a training step first.
      setTimeout(() => fn(p.pid!), 500)
    }
  })
  p.stderr.on('data', (d: Buffer) => (err += d))
  return new Promise((resolve) =>
    p.on('exit', (code, signal) => resolve({ code, signal, out, err, pid: p.pid! }))
  )
}

const gone = (pid: number) => {
  try {
    process.kill(pid, 0)
    return false
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

describe.each(['kernels', 'batch'])('a process training on wasm threads (split %s)', (split) => {
  it('ends by itself when its work is done', async () => {
    const r = await child('end', split)
    expect(r).toMatchObject({ code: 0, signal: null, out: 'threads 2\ntrained\n' })
  })

  it('exits at once on process.exit mid-training', async () => {
    const r = await child('exit', split)
    expect(r).toMatchObject({ code: 3, out: 'threads 2\n' })
  })

  it('ends with the error when training fails', async () => {
    const r = await child('fail', split)
    expect(r.code).toBe(1)
    expect(r.err).toContain('training failed on purpose')
  })

  it.each(['SIGTERM', 'SIGKILL'] as const)('dies whole on %s: nothing of it is left', async (signal) => {
    const r = await child('wait', split, (pid) => process.kill(pid, signal))
    expect(r.signal).toBe(signal)
    expect(gone(r.pid)).toBe(true)
  })
})

describe('replicas nobody disposed', () => {
  it('do not keep a process alive once its work is done', async () => {
    const r = await child('undisposed', 'batch')
    expect(r).toMatchObject({ code: 0, signal: null, out: 'threads 2\ntrained 12\n' })
  })
})
