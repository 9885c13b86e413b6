import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll } from 'vitest'
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
