import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { aestudio } from '../helpers/cli'
import { makeImageFolder } from '../helpers/images'
import { buildOnce, launchBrowser, screenshot, startServer, tempDirForSuite, endSuite } from './harness'

/**
 * The Sweep and Vectors tabs in a real browser over web mode: a latent-size sweep started from the form trains
 * in job processes and fills the table, the chart and the side-by-side grid, then exports a GIF with a frame per
 * size; the vector view picks images with and without a trait and an image to change, decodes the slider live
 * and exports a GIF. Screenshots: test-results/sweep.png, test-results/vector.png.
 */
let server: ChildProcess | null = null
let browser: Browser | null = null
let page: Page
let home: string

describe('the Sweep and Vectors tabs in a browser', () => {
  const dir = tempDirForSuite('aestudio-vector-sweep-e2e-')

  beforeAll(async () => {
    buildOnce()
    home = join(dir, 'home')
    const folder = join(dir, 'shapes')
    await makeImageFolder(folder, 16, 32)
    // A trained run for the vector view, through the same services the Train tab calls.
    const train = aestudio(
      ['train', folder, '--size', '16', '--channels', '1', '--latent', '4', '--epochs', '2', '--batch', '8'],
      home,
      300_000
    )
    expect(train.status, train.stderr).toBe(0)
    const started = await startServer(home)
    server = started.child
    browser = await launchBrowser()
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' })
    await page.goto(started.url)
    await page.getByRole('tab', { name: 'Datasets', exact: true }).waitFor()
  }, 600_000)

  endSuite('vector-sweep-', () => ({ page, browser, server }))

  it('runs a sweep from the form and shows error against latent size, the grid and a GIF', async () => {
    await page.getByRole('tab', { name: 'Sweep', exact: true }).click()
    await page.getByLabel('Latent sizes').fill('2, 4')
    await page.getByLabel('Epochs per run').fill('1')
    await page.getByLabel('Batch size').fill('8')
    await page.getByRole('button', { name: 'Start sweep' }).click()
    await page.getByText(/Sweep \d+: done, 2 of 2 sizes done/).waitFor({ timeout: 180_000 })
    const rows = page.locator('table.results tbody tr')
    await expect.poll(() => rows.count()).toBe(2)
    expect((await rows.nth(0).locator('td').first().textContent())?.trim()).toBe('2')
    expect((await rows.nth(1).locator('td').first().textContent())?.trim()).toBe('4')
    await expect.poll(() => page.locator('.canvas-box').getAttribute('data-points')).toBe('2')
    const grid = page.locator('img.grid')
    await grid.waitFor()
    await expect
      .poll(() => page.getByText('Rows, top to bottom: original, latent 2, latent 4.').count())
      .toBe(1)
    await page.getByRole('button', { name: 'Export GIF…' }).click()
    const saved = page.getByText(/Saved 2 frames \(latents 2, 4\)/)
    await saved.waitFor({ timeout: 60_000 })
    const file = (await page.locator('p[role=status] code').last().textContent())!.trim()
    expect((await sharp(file, { pages: -1 }).metadata()).pages).toBe(2)
    expect(await page.getByRole('alert').count()).toBe(0)
    await screenshot(page, 'sweep')
  })

  it('adds a trait vector to an image live and exports the strengths as a GIF', async () => {
    await page.getByRole('tab', { name: 'Vectors', exact: true }).click()
    await page.getByRole('button', { name: 'Add image 1', exact: true }).waitFor({ timeout: 30_000 })
    await page.getByLabel('With the trait', { exact: true }).check()
    await page.getByRole('button', { name: 'Add image 1', exact: true }).click()
    await page.getByRole('button', { name: 'Add image 3', exact: true }).click()
    await page.getByLabel('Without the trait', { exact: true }).check()
    await page.getByRole('button', { name: 'Add image 2', exact: true }).click()
    await page.getByLabel('Image to change', { exact: true }).check()
    await page.getByRole('button', { name: 'Add image 5', exact: true }).click()
    await page.getByText(/Vector of 4 dimensions, length/).waitFor({ timeout: 60_000 })
    const frame = page.locator('img.frame')
    await frame.waitFor()
    const first = await frame.getAttribute('src')
    await page.getByLabel('Strength of the vector').fill('2')
    await expect.poll(() => frame.getAttribute('src')).not.toBe(first)
    await page.getByRole('button', { name: 'Export GIF…' }).click()
    await page.getByText(/Saved 12 frames/).waitFor({ timeout: 60_000 })
    expect(await page.getByRole('alert').count()).toBe(0)
    await screenshot(page, 'vector')
  })
})
