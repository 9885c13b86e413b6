import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { ROOT } from './cli'

/**
 * Debian's chromium package ships SwiftShader, a software Vulkan driver, and its own Vulkan loader. With the
 * loader on LD_LIBRARY_PATH (read when a process starts, hence the child processes) and the driver as the only
 * ICD, dawn.node finds one adapter: SwiftShader, a fallback adapter. Slow, so tests keep shapes tiny.
 * SWIFTSHADER_DIR overrides where chromium's libraries are.
 */
const CHROMIUM_LIB = process.env.SWIFTSHADER_DIR ?? '/usr/lib/chromium'
export const SWIFTSHADER_ICD = join(CHROMIUM_LIB, 'vk_swiftshader_icd.json')
export const CHROMIUM_VULKAN = join(CHROMIUM_LIB, 'libvulkan.so.1')

/** Why the SwiftShader tests cannot run here, or null when they can. */
export function swiftShaderMissing(): string | null {
  for (const f of [SWIFTSHADER_ICD, CHROMIUM_VULKAN])
    if (!existsSync(f)) return `${f} is missing (apt-get install chromium)`
  return null
}

/**
 * The environment for a child that should see SwiftShader as its GPU: a temp folder holding only the link
 * libvulkan.so.1 → chromium's loader, first on LD_LIBRARY_PATH. `allowSoftware` sets AESTUDIO_SOFTWARE_GPU=1.
 * The folder goes when the suite ends.
 */
export function swiftShaderEnv(allowSoftware: boolean): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'aestudio-vulkan-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  symlinkSync(CHROMIUM_VULKAN, join(dir, 'libvulkan.so.1'))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LD_LIBRARY_PATH: [dir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
    VK_ICD_FILENAMES: SWIFTSHADER_ICD,
    FORCE_COLOR: '0'
  }
  if (allowSoftware) env.AESTUDIO_SOFTWARE_GPU = '1'
  else delete env.AESTUDIO_SOFTWARE_GPU
  return env
}

/** Runs a TypeScript child script (through tsx) and returns the JSON objects it printed, one per line. */
export function runChild<T = Record<string, unknown>>(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeout: number
): { results: T[]; seconds: number } {
  const started = performance.now()
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout
  })
  const seconds = (performance.now() - started) / 1000
  if (r.status !== 0)
    throw new Error(
      `${script} exited with ${r.status ?? r.signal} after ${seconds.toFixed(1)} s:\n${r.stdout}\n${r.stderr}`
    )
  const results = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as T)
  return { results, seconds }
}
