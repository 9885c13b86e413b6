import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import type { Browser, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { aestudio } from '../helpers/cli'
import { makeImageFolder } from '../helpers/images'
import { buildOnce, launchBrowser, screenshot, startServer, tempDirForSuite, endSuite } from './harness'

/**
 * The Insights tab in a real browser over web mode: empty before any run has trained, then (after a tiny run
 * trained through `aestudio train`, the same services the Train tab calls) the eigenfaces, PCA beside the
 * autoencoder with the numbers the CLI reports, and the compression table. Screenshot: test-results/insights.png.
 */
const LATENT = 4

let server: ChildProcess | null = null
let browser: Browser | null = null
let page: Page
let home: string
let folder: string

const cells = (row: string) => page.locator(`tr[data-row=${row}] td`).allTextContents()

describe('the Insights tab in a browser', () => {
  const dir = tempDirForSuite('aestudio-insights-e2e-')

  beforeAll(async () => {
    buildOnce()
    home = join(dir, 'home')
    folder = join(dir, 'faces')
    await makeImageFolder(folder, 24, 32)
    const started = await startServer(home)
    server = started.child
    browser = await launchBrowser()
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' })
    await page.goto(started.url)
    await page.getByText('Drop a folder of images', { exact: true }).waitFor()
  })

  endSuite('insights-', () => ({ page, browser, server }))

  it('says what to do before any run has trained', async () => {
    await page.getByRole('tab', { name: 'Insights', exact: true }).click()
    await page.getByText('No trained runs yet').waitFor()
  })

  it('shows the eigenfaces, PCA against the autoencoder and the compression table of a trained run', async () => {
    const train = aestudio(
      ['train', folder, '--size', '16', '--channels', '1', '--latent', String(LATENT), '--epochs', '3'],
      home,
      300_000
    )
    expect(train.status, train.stderr).toBe(0)
    // Back to the tab: it reloads the runs when shown again and measures the newest trained one.
    await page.getByRole('tab', { name: 'Datasets', exact: true }).click()
    await page.getByRole('tab', { name: 'Insights', exact: true }).click()
    const eigenfaces = page.locator('img.eigenfaces')
    await eigenfaces.waitFor({ timeout: 120_000 })
    await expect
      .poll(() => eigenfaces.evaluate((i) => (i as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0)
    await page.locator('tr[data-row=jpeg]').waitFor({ timeout: 120_000 })

    // The screen shows what `aestudio pca --json` computes for the same run.
    const runId = Number((await page.getByRole('tabpanel').locator('select').inputValue()) || 0)
    expect(runId).toBeGreaterThan(0)
    const pca = aestudio(['pca', String(runId), '--json'], home)
    expect(pca.status, pca.stderr).toBe(0)
    const r = JSON.parse(pca.stdout) as { pcaMse: number; aeMse: number; k: number }
    expect(r.k).toBe(LATENT)
    expect(await cells('pca')).toEqual([
      String(LATENT),
      r.pcaMse.toPrecision(3),
      expect.stringMatching(/dB$/)
    ])
    expect(await cells('ae')).toEqual([String(LATENT), r.aeMse.toPrecision(3), expect.stringMatching(/dB$/)])
    expect(await cells('float32')).toEqual([
      String(LATENT * 32),
      String(LATENT * 4),
      expect.stringMatching(/dB$/)
    ])
    expect(await cells('quantised8')).toEqual([
      String(LATENT * 8),
      String(LATENT),
      expect.stringMatching(/dB$/)
    ])
    const jpegBits = Number((await cells('jpeg'))[0].replace(/,/g, ''))
    expect(jpegBits).toBeGreaterThan(LATENT * 32)
    expect(await page.getByRole('alert').count()).toBe(0)
    await screenshot(page, 'insights')
    console.log(
      `insights e2e: PCA k=${r.k} MSE ${r.pcaMse.toPrecision(3)}, autoencoder MSE ${r.aeMse.toPrecision(3)}, ` +
        `equal-quality JPEG ${jpegBits} bits vs ${LATENT * 32} bits of code`
    )
  })
})
