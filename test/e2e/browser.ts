import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { chromium, type Browser, type Page } from 'playwright-core'
import { ROOT } from '../helpers/cli'

/**
 * The app in a browser without a test runner: a built app, `aestudio serve` on a data directory, Debian's
 * Chromium. The e2e tests (through harness.ts) and `npm run screenshots` (scripts/screenshots.ts) share it.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const SHOTS = join(ROOT, 'test-results')

let built = false
/** `npx electron-vite build` once per process (skip with E2E_SKIP_BUILD=1 when out/ is fresh). */
export function buildOnce(): void {
  if (built || process.env.E2E_SKIP_BUILD) return
  const build = spawnSync('npx', ['electron-vite', 'build'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240_000
  })
  if (build.status !== 0) throw new Error(`electron-vite build failed:\n${build.stdout}\n${build.stderr}`)
  built = true
}

/** Starts `aestudio serve` on a free port; resolves with the URL it prints (token included) and the process. */
export function startServer(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin', 'aestudio.js'), 'serve', '--json', '--port', '0'],
    {
      cwd: ROOT,
      env: { ...process.env, AESTUDIO_HOME: dataDir, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe']
    }
  )
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += String(d)))
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.once('line', (line) => {
      try {
        resolve({ url: (JSON.parse(line) as { openUrl: string }).openUrl, child })
      } catch {
        reject(new Error(`aestudio serve printed: ${line}\n${stderr}`))
      }
    })
    child.once('exit', (code) => reject(new Error(`aestudio serve exited with ${code}:\n${stderr}`)))
  })
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`)
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ]
  })
}

/**
 * A full-page screenshot from the top, so the sticky header sits where it belongs; written to `dir` (the
 * tests' test-results/ unless given) as `name`.png. Returns the file's path.
 */
export async function screenshot(page: Page, name: string, dir = SHOTS): Promise<string> {
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `${name}.png`)
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path, fullPage: true })
  return path
}
