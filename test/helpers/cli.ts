import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { join } from 'node:path'

export const ROOT = join(import.meta.dirname, '..', '..')

/** Runs the real `aestudio` entry point (bin/aestudio.js) as a user would, against a given data directory. */
export function aestudio(args: string[], home: string, timeout = 120_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(ROOT, 'bin', 'aestudio.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, AESTUDIO_HOME: home, FORCE_COLOR: '0' },
    encoding: 'utf8',
    timeout
  })
}

/** `aestudio bench` on wasm at its smallest (16×16 grey images, batches of 4), timing `steps` steps. */
export const smallWasmBench = (steps: number) => [
  'bench',
  '--size',
  '16',
  '--channels',
  '1',
  '--batch',
  '4',
  '--steps',
  String(steps),
  '--backend',
  'wasm'
]

/** Runs `aestudio` in this process (TensorFlow.js already loaded) against the data directory `home`. */
export async function aestudioInProcess(argv: string[], home: string) {
  const { run } = await import('../../src/main/cli/aestudio')
  const out: string[] = []
  const err: string[] = []
  const before = process.env.AESTUDIO_HOME
  process.env.AESTUDIO_HOME = home
  try {
    const code = await run(argv, {
      out: (t) => void out.push(t),
      err: (t) => void err.push(t),
      interactive: false
    })
    return { code, stdout: out.join('\n'), stderr: err.join('\n') }
  } finally {
    if (before === undefined) delete process.env.AESTUDIO_HOME
    else process.env.AESTUDIO_HOME = before
  }
}
