// The README's pictures from real runs:
//   npm run screenshots            (npx tsx scripts/screenshots.ts)
// Builds the app once, starts `aestudio serve` on a fresh temp data directory, imports the bundled Fashion-MNIST
// samples and trains the demo's model on them (30 epochs, as `aestudio demo` does) from the Train screen, then
// drives every screen in Chromium over web mode and writes docs/screenshots/*.png, morph.gif and the demo's
// reconstruction grid and morph strip (through the CLI, against the same data directory). Prints each file with
// its size and the run's validation loss; any failure (build, server, Chromium, a screen) exits non-zero.
// E2E_SKIP_BUILD=1 skips the build when out/ is fresh; CHROMIUM_PATH picks another Chromium.
import { spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import type { Browser, Locator, Page } from 'playwright-core'
import sharp from 'sharp'
import { drawMarks } from '../src/engine/noise'
import { buildOnce, launchBrowser, screenshot, startServer } from '../test/e2e/browser'
import { ROOT } from '../test/helpers/cli'

const OUT = join(ROOT, 'docs', 'screenshots')
const SAMPLES = join(ROOT, 'resources', 'samples', 'fashion-mnist', 'images')
const FACE_PHOTOS = join(ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo')
const sample = (name: string) => join(SAMPLES, `${name}.png`)

/** The demo's model (src/main/cli/commands/demo.ts): conv with resize upsampling, grey 32 px, latent 16. */
const DEMO = { size: 32, latent: 16, epochs: 30, batch: 32, lr: 0.002 }
/** The demo's morph path: shapes different enough that the in-betweens show. */
const KEYFRAMES = ['tshirt-01', 'dress-01', 'boot-01', 'bag-01']
/** The sweep: a few sizes, a few epochs each, so the error falls visibly with the latent size. */
const SWEEP = { latents: '2, 8, 32', epochs: 8 }

const started = Date.now()
const seconds = () => `${((Date.now() - started) / 1000).toFixed(0)} s`
const log = (text: string) => console.log(`[${seconds().padStart(5)}] ${text}`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const written: string[] = []
const pageErrors: string[] = []
let page: Page
let home: string
let serverExit: string | null = null

/** Polls `read` until it gives a truthy value; fails with `what` after `timeout` ms. */
async function until<T>(
  what: string,
  read: () => Promise<T | null | undefined | false | '' | 0>,
  timeout = 60_000
): Promise<T> {
  const end = Date.now() + timeout
  for (;;) {
    if (serverExit) throw new Error(`aestudio serve stopped (${serverExit}) while waiting for ${what}`)
    const value = await read()
    if (value) return value
    if (Date.now() > end) throw new Error(`Timed out after ${timeout / 1000} s waiting for ${what}`)
    await sleep(500)
  }
}

/** Runs `aestudio` against the server's data directory (as a person would in another terminal). */
function cli(args: string[], timeout = 600_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'aestudio.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, AESTUDIO_HOME: home, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += String(d)))
    child.stderr.on('data', (d) => (err += String(d)))
    const timer = setTimeout(() => child.kill('SIGTERM'), timeout)
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve(out)
      else reject(new Error(`aestudio ${args.join(' ')} exited with ${code ?? signal}:\n${err}${out}`))
    })
  })
}

interface RunRow {
  id: number
  status: string
  model: string
  bestValLoss: number | null
  backend: string | null
  datasetId: number
}
const runs = async () => JSON.parse(await cli(['runs', '--json'])) as RunRow[]

/** Errors the page showed or threw, as one message (empty when none). */
async function problems(): Promise<string> {
  const alerts = (await page.getByRole('alert').allTextContents()).map((t) => t.trim()).filter(Boolean)
  return [...pageErrors.splice(0), ...alerts].join(' | ')
}

/** A screenshot into docs/screenshots/, refused when the page shows an error. */
async function shot(name: string): Promise<void> {
  const wrong = await problems()
  if (wrong) throw new Error(`The page shows errors before screenshot ${name}: ${wrong}`)
  // No focus ring left on the last control touched.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
  written.push(await screenshot(page, name, OUT))
  log(`wrote docs/screenshots/${name}.png`)
}

/** The text of the first element `l` matches, '' while there is none (without waiting for one). */
const textOf = async (l: Locator) => ((await l.count()) ? ((await l.first().textContent()) ?? '') : '').trim()

const tab = (name: string) => page.getByRole('tab', { name, exact: true }).click()

/** Waits until every image `images` matches has loaded (and there is at least one). */
const loaded = (what: string, images: Locator, timeout = 60_000) =>
  until(
    what,
    () =>
      images.evaluateAll(
        (imgs) =>
          imgs.length > 0 &&
          imgs.every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0)
      ),
    timeout
  )

/**
 * Clicks dataset image `name` (its file name without .png) in the virtual grid labelled `grid`, scrolling
 * through it until that tile is rendered; picked from the dataset, the image shows as a thumbnail.
 */
async function pickFromGrid(grid: string, name: string) {
  const root = page.getByRole('grid', { name: grid })
  const tile = root.getByRole('button').filter({ has: page.locator(`[title="${name}.png"]`) })
  // The tiles learn their images' names as pages of the dataset arrive: wait for those in view at each step.
  const settled = () =>
    until(
      `the names of the tiles in "${grid}"`,
      async () => (await root.locator('[title=""]').count()) === 0,
      10_000
    )
  await root.evaluate((el) => (el.scrollTop = 0))
  await settled()
  for (let i = 0; i < 100 && !(await tile.count()); i++) {
    await root.evaluate((el) => (el.scrollTop += el.clientHeight * 0.75))
    await sleep(100)
    await settled()
  }
  if (!(await tile.count())) throw new Error(`${name}.png is not among the images of "${grid}"`)
  await tile.click()
}

/** Starts a run from the Train screen's form as it stands; resolves with its id once it has finished. */
async function trainOnScreen(timeout = 900_000): Promise<number> {
  const status = page.getByRole('status').filter({ hasText: /Run #\d+/ })
  const idOf = async () => Number((await textOf(status)).match(/Run #(\d+)/)?.[1] ?? 0)
  const before = await idOf()
  await page.getByRole('button', { name: 'Start training' }).click()
  const id = await until('the run to start', async () => {
    const now = await idOf()
    return now > before ? now : 0
  })
  log(`run ${id} started`)
  let logged = 0
  await until(
    `run ${id} to finish`,
    async () => {
      const text = await textOf(status)
      if (/Failed|Stopped|Interrupted/i.test(text))
        throw new Error(`Run ${id} did not finish: ${text} ${await problems()}`)
      // Every tenth epoch on the console, as the screen shows it.
      const detail = await textOf(page.locator('.progress .detail'))
      const epoch = Number(detail.match(/epoch (\d+) of/)?.[1] ?? 0)
      if (epoch >= logged + 10) {
        logged = epoch - (epoch % 10)
        log(`  ${detail}`)
      }
      return /Finished/.test(text)
    },
    timeout
  )
  return id
}

/**
 * The import form's size and colour. Settings arrive after the screen opens and set the default size, so the
 * choice is made again once they are in.
 */
async function importForm(size: number, colour: 'grey' | 'colour') {
  const sizeSelect = page.getByLabel('Image size')
  const colourSelect = page.getByRole('combobox', { name: 'Colour', exact: true })
  for (let i = 0; i < 3; i++) {
    await sizeSelect.selectOption(String(size))
    await colourSelect.selectOption(colour)
    await sleep(1000)
  }
  if ((await sizeSelect.inputValue()) !== String(size))
    throw new Error(`The image size did not stay at ${size}`)
}

async function datasets() {
  await page.getByText('Drop a folder of images', { exact: true }).waitFor()
  await importForm(DEMO.size, 'grey')
  await page.getByRole('button', { name: 'Try sample images' }).click()
  await page.getByText(/Imported \d+ images/).waitFor({ timeout: 180_000 })
  await page.getByText(`${DEMO.size}×${DEMO.size} grey`).waitFor()
  await loaded('the thumbnails', page.getByRole('grid', { name: 'Dataset images' }).locator('img'))
  await shot('02-datasets')
}

/** Trains the demo's model from the Train screen; returns its id and the last validation loss shown. */
async function train(): Promise<{ id: number; finalVal: string | null }> {
  await tab('Train')
  await page.getByRole('combobox', { name: /^Model\b/ }).selectOption('conv')
  await page.getByLabel('Latent size').fill(String(DEMO.latent))
  await page.getByLabel('Latent size').blur()
  await page.getByLabel('Epochs').fill(String(DEMO.epochs))
  await page.getByLabel('Batch size').fill(String(DEMO.batch))
  await page.getByLabel('Learning rate').fill(String(DEMO.lr))
  await page.getByLabel('Upsampling').selectOption('resize')
  const id = await trainOnScreen()
  // Every epoch's training and validation points drawn before the picture is taken.
  const chart = page.locator('.canvas-box[data-points]')
  await until(
    'the loss chart to hold every epoch',
    async () =>
      !(await chart.count()) || Number(await chart.first().getAttribute('data-points')) >= 2 * DEMO.epochs,
    30_000
  )
  const detail = await textOf(page.locator('.progress .detail'))
  await shot('04-train-done')
  return { id, finalVal: detail.match(/validation ([\d.]+)/)?.[1] ?? null }
}

async function reconstructions() {
  await tab('Reconstructions')
  await loaded('the reconstructions', page.locator('img.preview'))
  await page.getByText(`Epoch ${DEMO.epochs} of ${DEMO.epochs}`).waitFor()
  await page.getByRole('button', { name: /Show 16 validation images/ }).click()
  await page.getByText(/Rows, top to bottom: original → reconstruction/).waitFor({ timeout: 120_000 })
  await loaded('the larger grid', page.locator('main img'))
  await shot('05-reconstructions')
}

/** The morph through the demo's keyframes, stopped halfway from the dress to the boot; its GIF → morph.gif. */
async function morph() {
  await tab('Morph')
  for (const k of KEYFRAMES) await pickFromGrid('Dataset images to use as keyframes', k)
  const list = page.getByRole('list', { name: 'Keyframes in order' }).locator('li')
  await until('the four keyframes', async () => (await list.count()) === KEYFRAMES.length)
  // 19 frames: 6 steps between keyframes, so 9 steps land halfway from keyframe 2 to keyframe 3.
  await page.getByLabel('Frames', { exact: true }).fill('19')
  await page.getByLabel('Output size (px)').fill('160')
  await page.getByLabel('Ping-pong (play back and forth)').check()
  const frame = page.getByAltText('The decoded in-between image')
  await frame.waitFor({ timeout: 60_000 })
  const slider = page.getByLabel('Morph position between the keyframes')
  await slider.focus()
  await page.keyboard.press('Home')
  const first = await frame.getAttribute('src')
  for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowRight')
  await until('the halfway frame', async () => (await frame.getAttribute('src')) !== first, 30_000)
  await until('the slider to say halfway', async () =>
    /50% of the way from keyframe 2 to keyframe 3/.test((await slider.getAttribute('aria-valuetext')) ?? '')
  )
  await page.getByRole('button', { name: 'Export GIF…' }).click()
  const saved = page.locator('.exported')
  await saved.waitFor({ timeout: 180_000 })
  const file = (await saved.locator('a, code').first().textContent())!.trim()
  const gif = join(OUT, 'morph.gif')
  copyFileSync(file, gif)
  written.push(gif)
  log(`wrote docs/screenshots/morph.gif (${(await sharp(gif, { animated: true }).metadata()).pages} frames)`)
  await page.getByRole('button', { name: 'Show the map' }).click()
  await page
    .getByRole('button', { name: /Use validation image \d+ as a keyframe/ })
    .first()
    .waitFor({ timeout: 60_000 })
  await shot('06-morph')
}

/** What `aestudio demo` writes, from the same run: the reconstruction grid and a strip of the morph. */
async function demoPictures(runId: number) {
  const recon = join(OUT, 'demo-recon.png')
  await cli(['recon', String(runId), '--out', recon, '--count', '16'])
  written.push(recon)
  const strip = join(OUT, 'demo-morph-strip.png')
  // 10 frames over 3 segments: frames 0, 3, 6 and 9 are the keyframes themselves.
  await cli([
    'morph',
    String(runId),
    ...KEYFRAMES.map(sample),
    '--out',
    strip,
    '--frames',
    '10',
    '--size',
    '80',
    '--interp',
    'slerp'
  ])
  written.push(strip)
  log('wrote docs/screenshots/demo-recon.png and demo-morph-strip.png')
}

async function insights() {
  await tab('Insights')
  await loaded('the eigenfaces', page.locator('img.eigenfaces'), 180_000)
  await page.locator('tr[data-row=jpeg]').waitFor({ timeout: 180_000 })
  await shot('12-insights')
}

/** Boot minus sneaker, added to a sneaker: the trait is "ankle-high". */
async function vectors() {
  await tab('Vectors')
  const add = (name: string) => pickFromGrid('Dataset images to pick from', name)
  await page.getByLabel('With the trait', { exact: true }).check()
  for (let i = 1; i <= 6; i++) await add(`boot-0${i}`)
  await page.getByLabel('Without the trait', { exact: true }).check()
  for (let i = 1; i <= 6; i++) await add(`sneaker-0${i}`)
  await page.getByLabel('Image to change', { exact: true }).check()
  await add('sneaker-10')
  await page.getByText(/Vector of \d+ dimensions, length/).waitFor({ timeout: 60_000 })
  const frame = page.locator('img.frame')
  await frame.waitFor()
  const first = await frame.getAttribute('src')
  await page.getByLabel('Strength of the vector').fill('1')
  await until('the changed image', async () => (await frame.getAttribute('src')) !== first, 30_000)
  await shot('13-vectors')
}

async function sweep() {
  await tab('Sweep')
  await page.getByLabel('Latent sizes').fill(SWEEP.latents)
  await page.getByLabel('Epochs per run').fill(String(SWEEP.epochs))
  await page.getByLabel('Batch size').fill(String(DEMO.batch))
  await page.getByLabel('Learning rate').fill(String(DEMO.lr))
  await page.getByRole('button', { name: 'Start sweep' }).click()
  const n = SWEEP.latents.split(',').length
  await until(
    'the sweep to finish',
    async () => {
      const text = await textOf(page.getByText(/Sweep \d+: /))
      if (/failed|interrupted|stopped/.test(text)) throw new Error(`The sweep did not finish: ${text}`)
      return new RegExp(`done, ${n} of ${n} sizes done`).test(text)
    },
    900_000
  )
  // The grid is fetched again as sizes finish: wait for the one with a row per size.
  const rows = SWEEP.latents.split(',').map((l) => `latent ${l.trim()}`)
  await page.getByText(`Rows, top to bottom: original, ${rows.join(', ')}.`).waitFor({ timeout: 60_000 })
  await loaded('the side-by-side grid', page.locator('img.grid'))
  await shot('14-sweep')
}

async function runsScreen() {
  await tab('Runs')
  await page.getByRole('row').filter({ hasText: 'conv' }).first().waitFor()
  const compare = page.getByLabel(/Compare the loss curve of run/)
  await until('the run list', async () => (await compare.count()) > 0)
  for (const box of await compare.all()) await box.check()
  await shot('07-runs')
}

async function settingsDark() {
  await tab('Settings')
  await page.getByText('AESTUDIO_HOME').waitFor()
  await page.getByLabel('Dark').check()
  await until('the dark theme', () => page.evaluate(() => document.documentElement.dataset.theme === 'dark'))
  await shot('08-settings-dark')
}

/** A VAE on the same images (dark theme still on), and 16 images drawn from its prior. */
async function vaeSamples() {
  await tab('Train')
  await page.getByRole('combobox', { name: /^Model\b/ }).selectOption('vae')
  await page.getByText('Variational: a smooth latent space').waitFor()
  await page.getByLabel('Epochs').fill(String(DEMO.epochs))
  const id = await trainOnScreen()
  await tab('Morph')
  await page.getByLabel('Model (run)').selectOption(String(id))
  await page.getByRole('button', { name: 'Draw 16 new images' }).click()
  await loaded('the random samples', page.getByAltText('A grid of 16 images decoded from random codes'))
  await shot('11-vae-samples-dark')
  await tab('Settings')
  await page.getByLabel('Light').check()
  await until('the light theme', () =>
    page.evaluate(() => document.documentElement.dataset.theme === 'light')
  )
}

/**
 * Watermark removal: a denoising run trained (with the CLI) to remove marks, then sample images with marks it
 * never saw (drawn with another seed, as in training) cleaned on the Restore screen.
 */
async function restore(datasetId: number, dir: string) {
  log('training a denoising run to remove marks (CLI)')
  await cli([
    'train',
    String(datasetId),
    '--model',
    'denoising',
    '--noise-kind',
    'marks',
    '--noise',
    '0.15',
    '--latent',
    '32',
    '--epochs',
    '30',
    '--batch',
    String(DEMO.batch),
    '--lr',
    String(DEMO.lr),
    '--upsample',
    'resize'
  ])
  const run = (await runs()).find((r) => r.model === 'denoising')
  if (!run || run.status !== 'done')
    throw new Error(`The denoising run did not finish: ${JSON.stringify(run)}`)
  const names = ['tshirt-12', 'trouser-12', 'pullover-12', 'sneaker-12', 'bag-12']
  const s = DEMO.size
  const { covered, colour } = drawMarks(names.length, s, s, 1, 0.15, 424242)
  const files = await Promise.all(
    names.map(async (name, i) => {
      const px = await sharp(sample(name)).resize(s, s).removeAlpha().toColourspace('b-w').raw().toBuffer()
      if (px.length !== s * s)
        throw new Error(`${name}: expected ${s * s} grey pixels, got ${px.length} bytes`)
      for (let p = 0; p < s * s; p++)
        if (covered[i * s * s + p]) px[p] = Math.round(colour[i * s * s + p] * 255)
      const file = join(dir, `${name}-marked.png`)
      await sharp(px, { raw: { width: s, height: s, channels: 1 } })
        .png()
        .toFile(file)
      return file
    })
  )
  await tab('Restore')
  await page.getByLabel('Model (run)').selectOption(String(run.id))
  const path = page.locator('#restore-path')
  for (const file of files) {
    await path.fill(file)
    await path.press('Enter')
  }
  await page.getByRole('button', { name: `Clean ${files.length} images` }).click()
  await loaded('the cleaned images', page.locator('img[alt^="Cleaned:"]'), 120_000)
  await until(
    'every cleaned image',
    async () => (await page.locator('img[alt^="Cleaned:"]').count()) === files.length
  )
  await shot('15-restore')
}

/** Face import: face-api's group photos, every face found and aligned, one photo's faces boxed. */
async function faces(dir: string) {
  const folder = join(dir, 'party photos')
  mkdirSync(folder, { recursive: true })
  for (let i = 1; i <= 6; i++)
    copyFileSync(join(FACE_PHOTOS, `sample${i}.jpg`), join(folder, `sample${i}.jpg`))
  await tab('Datasets')
  await page.locator('#folder-path').fill(folder)
  await importForm(64, 'colour')
  await page.locator('select[aria-describedby="fit-hint"]').selectOption('faces')
  await page.getByLabel('Faces per photo').selectOption('all')
  await page.getByRole('button', { name: 'Import', exact: true }).click()
  await page.getByText(/Imported \d+ face images from 6 photos/).waitFor({ timeout: 600_000 })
  await loaded('the face thumbnails', page.getByRole('grid', { name: 'Dataset images' }).locator('img'))
  await page.getByRole('button', { name: 'Show source of sample4.jpg#3' }).click()
  const figure = page.getByRole('figure', { name: 'Source photo' })
  await loaded('the source photo', figure.locator('img'))
  await shot('16-faces')
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'aestudio-screenshots-'))
  home = join(dir, 'home')
  mkdirSync(OUT, { recursive: true })
  let server: ChildProcess | null = null
  let browser: Browser | null = null
  let ok = false
  try {
    log('building the app (electron-vite build)')
    buildOnce()
    log(`starting aestudio serve on ${home}`)
    const started = await startServer(home)
    server = started.child
    server.once('exit', (code, signal) => (serverExit = `exit ${code ?? signal}`))
    log('launching Chromium')
    browser = await launchBrowser()
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' })
    page.setDefaultTimeout(60_000)
    page.on('pageerror', (e) => pageErrors.push(e.message))
    await page.goto(started.url)

    await datasets()
    log(`training the demo model: ${DEMO.epochs} epochs, latent ${DEMO.latent}, on the Train screen`)
    const run = await train()
    await reconstructions()
    await morph()
    await demoPictures(run.id)
    await insights()
    await vectors()
    await sweep()
    await runsScreen()
    await settingsDark()
    await vaeSamples()
    const demo = (await runs()).find((r) => r.id === run.id)!
    await restore(demo.datasetId, dir)
    await faces(dir)

    console.log(`\nWritten in ${seconds()}:`)
    for (const file of written)
      console.log(
        `  ${relative(ROOT, file).padEnd(40)} ${(statSync(file).size / 1024).toFixed(0).padStart(6)} KB`
      )
    console.log(
      `Demo run ${run.id} (${DEMO.epochs} epochs on ${demo.backend}): final validation loss ` +
        `${run.finalVal ?? '(not shown)'}, best ${demo.bestValLoss?.toPrecision(4)}`
    )
    ok = true
  } catch (err) {
    if (page) {
      const failed = join(ROOT, 'test-results', 'screenshots-failed.png')
      mkdirSync(join(ROOT, 'test-results'), { recursive: true })
      await page.screenshot({ path: failed, fullPage: true }).catch(() => {})
      console.error(`The page at the failure: ${relative(ROOT, failed)}`)
    }
    throw err
  } finally {
    await browser?.close().catch(() => {})
    server?.kill('SIGTERM')
    if (ok) rmSync(dir, { recursive: true, force: true })
    else console.error(`The data directory is kept for a look: ${home}`)
  }
}

main().catch((err: unknown) => {
  console.error(
    `\nnpm run screenshots failed after ${seconds()}: ${err instanceof Error ? err.message : String(err)}`
  )
  process.exitCode = 1
})
