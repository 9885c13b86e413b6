// `aestudio bench` and `aestudio train` on the webgpu backend, with SwiftShader (Debian chromium's software
// Vulkan driver) as the only GPU: it is used only when asked for by name with AESTUDIO_SOFTWARE_GPU=1, the run
// and the bench name it, and `auto` never picks it.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/cli'
import { makeImageFolder } from '../helpers/images'
import { swiftShaderEnv, swiftShaderMissing } from '../helpers/swiftshader'
import { tempDir } from '../helpers/tmp'

const missing = swiftShaderMissing()
if (missing) console.warn(`webgpu tests SKIPPED: ${missing}`)

const SWIFTSHADER =
  /only a software GPU \(google swiftshader: SwiftShader driver [\d.]+ \(software\)\) was found/

function aestudio(args: string[], env: NodeJS.ProcessEnv, home: string) {
  const started = performance.now()
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'aestudio.js'), ...args], {
    cwd: ROOT,
    env: { ...env, AESTUDIO_HOME: home },
    encoding: 'utf8',
    timeout: 300_000
  })
  console.log(`aestudio ${args.join(' ')}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
  return r
}

const TINY_BENCH = ['bench', '--json', '--size', '8', '--batch', '2', '--latent', '8', '--steps', '1']

describe.skipIf(missing)('aestudio on the webgpu backend (SwiftShader)', () => {
  let allowed: NodeJS.ProcessEnv
  let refused: NodeJS.ProcessEnv
  beforeAll(() => {
    allowed = swiftShaderEnv(true)
    refused = swiftShaderEnv(false)
  })

  it('bench --backend webgpu names its adapter with AESTUDIO_SOFTWARE_GPU=1', () => {
    const r = aestudio([...TINY_BENCH, '--backend', 'webgpu'], allowed, tempDir())
    expect(r.status, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.backend).toBe('webgpu')
    expect(out.adapter).toEqual({
      vendor: 'google',
      architecture: 'swiftshader',
      device: expect.stringMatching(/^swiftshader/),
      description: expect.stringMatching(/^SwiftShader driver /),
      isFallbackAdapter: true
    })
    expect(out.notes).toEqual([
      expect.stringMatching(/^webgpu: google swiftshader: SwiftShader driver .*software/)
    ])
    expect(out.imagesPerSecond).toBeGreaterThan(0)
  })

  it('without AESTUDIO_SOFTWARE_GPU=1, --backend webgpu refuses the software GPU in plain words', () => {
    const r = aestudio([...TINY_BENCH, '--backend', 'webgpu'], refused, tempDir())
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/The webgpu backend cannot be used here: /)
    expect(r.stderr).toMatch(SWIFTSHADER)
    expect(r.stderr).toMatch(/set AESTUDIO_SOFTWARE_GPU=1 to use it anyway/)
  })

  it('auto never picks the software GPU, even with AESTUDIO_SOFTWARE_GPU=1', () => {
    const r = aestudio(TINY_BENCH, allowed, tempDir())
    expect(r.status, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.backend).not.toBe('webgpu')
    expect(out.adapter).toBeNull()
    const note = out.notes.find((n: string) => n.startsWith('webgpu passed over: '))
    expect(note).toMatch(SWIFTSHADER)
    expect(note).toMatch(/auto never picks one/)
  })

  it('train --backend webgpu trains, records the adapter with the run and ends with "backend":"webgpu"', async () => {
    const home = tempDir()
    const images = join(home, 'images')
    await makeImageFolder(images, 12, 24)
    const args = ['train', images, '--size', '8', '--latent', '4', '--epochs', '1', '--batch', '6']
    const r = aestudio([...args, '--backend', 'webgpu', '--json'], allowed, home)
    expect(r.status, r.stderr).toBe(0)
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.at(-1)).toMatchObject({ event: 'done', status: 'done', epochsDone: 1, backend: 'webgpu' })
    expect(r.stdout.trim().endsWith('"backend":"webgpu"}')).toBe(true)
    const runs = JSON.parse(aestudio(['runs', '--json'], allowed, home).stdout)
    expect(runs[0].backend).toBe('webgpu')
    expect(runs[0].backendNotes).toEqual([expect.stringMatching(/^webgpu: google swiftshader: SwiftShader/)])
  })
})
