import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import type { Browser, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { aestudio } from '../helpers/cli'
import { faceFolder, SAMPLES } from '../helpers/face-samples'
import { buildOnce, launchBrowser, screenshot, startServer, tempDirForSuite, endSuite } from './harness'

/**
 * The face import in a real browser over web mode: face-api's six sample photos and three images without a
 * usable face, imported from the Datasets form with Fit "faces" and every face (in the import job process),
 * then a face's source photo with its boxes; then, on a run trained on it, the Vectors screen's sets picked by
 * the "happy" score. Screenshots: test-results/faces-datasets.png (the aligned crops beside the source photo,
 * for the README), test-results/faces-grid.png and test-results/faces-vector.png.
 */
let server: ChildProcess | null = null
let browser: Browser | null = null
let page: Page

describe('face import in the Datasets screen', () => {
  const dir = tempDirForSuite('aestudio-faces-e2e-')
  let folder: string
  let home: string

  beforeAll(async () => {
    buildOnce()
    folder = await faceFolder(join(dir, 'party photos'), SAMPLES)
    home = join(dir, 'home')
    const started = await startServer(home)
    server = started.child
    browser = await launchBrowser()
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' })
    await page.goto(started.url)
    await page.getByText('Drop a folder of images', { exact: true }).waitFor()
  }, 600_000)

  endSuite('faces-', () => ({ page, browser, server }))

  it('imports every face of the photos as an aligned crop and says what it left out', async () => {
    await page.locator('#folder-path').fill(folder)
    await page.getByLabel('Image size').selectOption('64')
    await page.locator('select[aria-describedby="fit-hint"]').selectOption('faces')
    await page.getByLabel('Faces per photo').selectOption('all')
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    // 22 faces in the six photos, one of them in profile; small.jpg's three are too small.
    await page
      .getByText(
        'Imported 21 face images from 6 photos (left out: 1 turned to the side, 3 too small), skipped 3.'
      )
      .waitFor({ timeout: 240_000 })
    await expect.poll(() => page.getByText('no face found').count()).toBe(2)
    const grid = page.getByRole('grid', { name: 'Dataset images' })
    await expect
      .poll(() =>
        grid
          .locator('img')
          .evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth === 64).length)
      )
      .toBe(21)
    await screenshot(page, 'faces-grid')
  })

  it('shows a face image’s source photo with every face boxed and that one highlighted', async () => {
    await page.getByRole('button', { name: 'Show source of sample4.jpg#3' }).click()
    const figure = page.getByRole('figure', { name: 'Source photo' })
    await figure.waitFor()
    await expect
      .poll(() => figure.locator('img').evaluate((i) => (i as HTMLImageElement).naturalWidth))
      .toBe(1024)
    const faces = figure.getByRole('button', { name: /^Face \d/ })
    await expect.poll(() => faces.count()).toBe(4)
    await expect.poll(() => figure.getByRole('button', { name: 'Face 3 (shown)' }).count()).toBe(1)
    await figure.getByText('face 3 of 4').waitFor()
    await screenshot(page, 'faces-datasets')
  })

  it('picks the Vectors sets of a face run by the happy score, corrected by a click', async () => {
    const train = aestudio(['train', '1', '--latent', '8', '--epochs', '2', '--batch', '8'], home, 300_000)
    expect(train.status, train.stderr).toBe(0)
    await page.getByRole('tab', { name: 'Vectors', exact: true }).click()
    const withList = page.getByRole('list', { name: 'Faces with happy' })
    await expect.poll(() => withList.getByRole('listitem').count(), { timeout: 30_000 }).toBeGreaterThan(3)
    const withoutList = page.getByRole('list', { name: 'Faces without happy' })
    expect(await withoutList.getByRole('listitem').count()).toBeGreaterThan(3)
    // The weakest "with" (listed last) is left out by hand.
    await withList.getByRole('button').last().click()
    expect(await withList.getByRole('button', { pressed: false }).count()).toBe(1)
    const kept = await withList.getByRole('button', { pressed: true }).count()
    const without = await withoutList.getByRole('button').count()
    await page.getByRole('button', { name: 'Use these sets' }).click()
    await page
      .getByText(
        new RegExp(`Vector of 8 dimensions, length [\\d.]+ \\(mean of ${kept} minus mean of ${without}\\)`)
      )
      .waitFor({ timeout: 60_000 })
    expect(await page.getByRole('alert').count()).toBe(0)
    await screenshot(page, 'faces-vector')
  })
})
