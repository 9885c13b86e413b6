import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeImageFolder } from '../helpers/images'
import { buildOnce, launchBrowser, screenshot, startServer, tempDirForSuite, endSuite } from './harness'

/**
 * The real UI in a real browser: the built renderer served by `aestudio serve` (web mode), driven with
 * playwright-core in Debian's Chromium. One journey, in order, as a newcomer would take it; a screenshot of every
 * screen lands in test-results/.
 */
const IMAGES = 24
const FRAMES = 6

let server: ChildProcess | null = null
let browser: Browser | null = null
let page: Page
let home: string
let folder: string

const shot = (name: string) => screenshot(page, name)
const tab = (name: string) => page.getByRole('tab', { name, exact: true }).click()

describe('the studio in a browser', () => {
  const dir = tempDirForSuite()

  beforeAll(async () => {
    buildOnce()
    home = join(dir, 'home')
    folder = join(dir, 'my images')
    await makeImageFolder(folder, IMAGES, 48)
    const started = await startServer(home)
    server = started.child
    const url = started.url
    browser = await launchBrowser()
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' })
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(e.message))
    await page.goto(url)
    await page.getByText('Drop a folder of images', { exact: true }).waitFor()
    expect(problems).toEqual([])
  })

  endSuite('', () => ({ page, browser, server }), { fullPage: true })

  it('starts on an empty Datasets screen that says what to do', async () => {
    await page.getByText('No datasets yet').waitFor()
    await shot('01-datasets-empty')
  })

  it('imports a generated folder and shows its thumbnails', async () => {
    await page.locator('#folder-path').fill(folder)
    await page.getByLabel('Image size').selectOption('32')
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    await page.getByText(`Imported ${IMAGES} images`).waitFor({ timeout: 120_000 })
    const grid = page.getByRole('grid', { name: 'Dataset images' })
    await grid.waitFor()
    // Thumbnails load through the data-file URLs the api layer gives.
    await expect
      .poll(() =>
        grid
          .locator('img')
          .evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length)
      )
      .toBeGreaterThan(0)
    await shot('02-datasets')
  })

  it('trains two epochs and the loss chart fills in live', async () => {
    await tab('Train')
    await page.getByLabel('Latent size').fill('8')
    await page.getByLabel('Latent size').blur()
    await page.getByLabel('Epochs').fill('2')
    await page.getByLabel('Batch size').fill('8')
    await page.getByRole('button', { name: 'Start training' }).click()
    const chart = page.locator('.canvas-box[data-points]')
    // After epoch 1: a training, a validation and a learning-rate point; after epoch 2: six.
    await expect
      .poll(() => chart.getAttribute('data-points').then(Number), { timeout: 240_000 })
      .toBeGreaterThanOrEqual(2)
    await shot('03-train-running')
    await page.getByText(/Run #\d+: Finished/).waitFor({ timeout: 240_000 })
    await expect.poll(() => chart.getAttribute('data-points').then(Number)).toBe(6)
    await expect(
      page.getByRole('progressbar', { name: 'Training progress' }).getAttribute('aria-valuetext')
    ).resolves.toMatch(/epoch 2 of 2/)
    await shot('04-train-done')
  })

  it('shows reconstructions for each epoch, scrubbable', async () => {
    await tab('Reconstructions')
    const img = page.locator('img.preview')
    await img.waitFor()
    await expect.poll(() => img.evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBeGreaterThan(0)
    await page.getByText('Epoch 2 of 2').waitFor()
    const slider = page.getByLabel('Scrub through epochs')
    await slider.focus()
    await page.keyboard.press('Home')
    await page.getByText('Epoch 1 of 2').waitFor()
    // A larger grid on request, from the best checkpoint.
    await page.getByRole('button', { name: /Show 16 validation images/ }).click()
    await page.getByText(/Rows, top to bottom: original → reconstruction/).waitFor({ timeout: 60_000 })
    await shot('05-reconstructions')
  })

  it('morphs between two images live and exports a GIF with the asked frame count', async () => {
    await tab('Morph')
    await page.getByRole('button', { name: 'Use image 1 as a keyframe' }).click()
    await page.getByRole('button', { name: 'Use image 5 as a keyframe' }).click()
    const frame = page.getByAltText('The decoded in-between image')
    await frame.waitFor({ timeout: 60_000 })
    const first = await frame.getAttribute('src')
    const slider = page.getByLabel('Morph position between the keyframes')
    await slider.focus()
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight')
    await expect.poll(() => frame.getAttribute('src'), { timeout: 30_000 }).not.toBe(first)
    await expect(slider.getAttribute('aria-valuetext')).resolves.toMatch(
      /of the way from keyframe 1 to keyframe 2/
    )
    // The view reports how long the last decode took (a round trip through the server included).
    const ms = Number((await page.getByText(/Decoded in \d+ ms/).textContent())!.match(/(\d+) ms/)![1])
    console.log(`morph frame decoded in ${ms} ms at 32 px`)
    expect(ms).toBeLessThan(1000)

    await page.getByLabel('Frames', { exact: true }).fill(String(FRAMES))
    await page.getByLabel('Ping-pong (play back and forth)').uncheck()
    await page.getByLabel('Output size (px)').fill('64')
    await page.getByRole('button', { name: 'Export GIF…' }).click()
    const saved = page.getByText(`Saved ${FRAMES} frames`)
    await saved.waitFor({ timeout: 120_000 })
    const link = page.locator('.exported a')
    const file = (await link.textContent())!.trim()
    expect(file.endsWith('.gif')).toBe(true)
    const meta = await sharp(file, { animated: true }).metadata()
    expect(meta.format).toBe('gif')
    expect(meta.pages).toBe(FRAMES)
    expect(meta.width).toBe(64)
    // The link downloads the same file through the server.
    const href = (await link.getAttribute('href'))!
    const bytes = await page.evaluate(
      async (url) => (await fetch(url)).arrayBuffer().then((b) => b.byteLength),
      href
    )
    expect(bytes).toBeGreaterThan(100)

    // The PCA map of the validation codes: each point is a thumbnail button that adds a keyframe.
    await page.getByRole('button', { name: 'Show the map' }).click()
    const point = page.getByRole('button', { name: /Use validation image \d+ as a keyframe/ }).first()
    await point.waitFor({ timeout: 60_000 })
    await point.click()
    await expect
      .poll(() => page.getByRole('list', { name: 'Keyframes in order' }).locator('li').count())
      .toBe(3)
    await shot('06-morph')
  })

  it('lists the run, and Settings switch the theme at once', async () => {
    await tab('Runs')
    const row = page.getByRole('row').filter({ hasText: 'conv' }).first()
    await row.waitFor()
    await expect(row.textContent()).resolves.toMatch(/done/)
    await page
      .getByLabel(/Compare the loss curve of run/)
      .first()
      .check()
    await shot('07-runs')
    await tab('Settings')
    await page.getByText('AESTUDIO_HOME').waitFor()
    await page.getByLabel('Dark').check()
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark')
    await shot('08-settings-dark')
    await tab('Train')
    await shot('09-train-dark')
  })

  it('trains a VAE whose chart adds reconstruction and KL, and draws random images from it', async () => {
    await tab('Train')
    await page.getByRole('combobox', { name: /^Model\b/ }).selectOption('vae')
    await page.getByText('Variational: a smooth latent space').waitFor()
    await page.getByLabel('Epochs').fill('1')
    await page.getByRole('button', { name: 'Start training' }).click()
    await page.getByText(/Run #2: Finished/).waitFor({ timeout: 240_000 })
    // One epoch: training, validation, reconstruction, KL and learning-rate points.
    await expect.poll(() => page.locator('.canvas-box[data-points]').getAttribute('data-points')).toBe('5')
    await tab('Morph')
    await page.getByLabel('Model (run)').selectOption('2')
    await page.getByRole('button', { name: 'Draw 16 new images' }).click()
    const samples = page.getByAltText('A grid of 16 images decoded from random codes')
    await samples.waitFor({ timeout: 60_000 })
    await expect
      .poll(() => samples.evaluate((i) => (i as HTMLImageElement).naturalWidth), { timeout: 30_000 })
      .toBeGreaterThan(0)
    await shot('11-vae-samples-dark')
  })

  it('pauses, resumes and stops a long run, and resumes it again from the Runs screen', async () => {
    await tab('Train')
    await page.getByRole('combobox', { name: /^Model\b/ }).selectOption('conv')
    await page.getByLabel('Epochs').fill('500')
    await page.getByRole('button', { name: 'Start training' }).click()
    const status = page.getByRole('status').filter({ hasText: /Run #3/ })
    await status.filter({ hasText: 'Training' }).waitFor({ timeout: 60_000 })
    await page.getByRole('button', { name: 'Pause', exact: true }).click()
    await status.filter({ hasText: 'Paused' }).waitFor()
    // Paused means no new epochs: the chart holds still.
    const points = page.locator('.canvas-box[data-points]')
    const held = await points.getAttribute('data-points')
    await page.waitForTimeout(1500)
    expect(await points.getAttribute('data-points')).toBe(held)
    await page.getByRole('button', { name: 'Resume', exact: true }).click()
    await status.filter({ hasText: 'Training' }).waitFor()
    await page.getByRole('button', { name: 'Stop', exact: true }).click()
    await status.filter({ hasText: 'Stopped' }).waitFor({ timeout: 60_000 })

    await tab('Runs')
    const row = page.getByRole('row').filter({ hasText: '#3' })
    await expect.poll(() => row.textContent()).toMatch(/stopped/)
    await page.getByRole('button', { name: 'Resume run 3' }).click()
    await status.filter({ hasText: 'Training' }).waitFor({ timeout: 60_000 })
    await page.getByRole('button', { name: 'Stop', exact: true }).click()
    await status.filter({ hasText: 'Stopped' }).waitFor({ timeout: 60_000 })
  })
})
