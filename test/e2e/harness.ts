import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach } from 'vitest'
import { launchBrowser as launch, SHOTS } from './browser'

/**
 * What every browser test shares: a built app, `aestudio serve` on a temp data directory, Debian's Chromium.
 * The runner-free parts live in browser.ts (scripts/screenshots.ts uses them too); this adds what needs vitest.
 */
export { buildOnce, CHROMIUM, screenshot, SHOTS, startServer } from './browser'

/** One temp folder for a whole suite (its tests share one server and one journey), removed after it. */
export function tempDirForSuite(prefix = 'aestudio-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Chromium, with test-results/ made for the screenshots the tests write there themselves (failures). */
export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true })
  return launch()
}

/** What a suite holds that `endSuite` cleans up; read when the hooks run, so it may be assigned later. */
interface SuiteParts {
  page?: Page | null
  browser?: Browser | null
  server?: ChildProcess | null
}

/**
 * A failed test leaves a screenshot (`failed-<prefix><test name>.png`) and the errors the page showed, so the
 * cause is readable without a rerun; after the suite the browser closes and the server stops.
 */
export function endSuite(
  prefix: string,
  parts: () => SuiteParts,
  options: { fullPage?: boolean } = {}
): void {
  afterEach(async (ctx) => {
    const { page } = parts()
    if (ctx.task.result?.state !== 'fail' || !page) return
    await page.screenshot({
      path: join(SHOTS, `failed-${prefix}${ctx.task.name.replace(/\W+/g, '-')}.png`),
      fullPage: options.fullPage
    })
    const alerts = await page.getByRole('alert').allTextContents()
    if (alerts.length) console.error(`Errors on the page: ${alerts.join(' | ')}`)
  })
  afterAll(async () => {
    const { browser, server } = parts()
    await browser?.close()
    server?.kill('SIGTERM')
  })
}
