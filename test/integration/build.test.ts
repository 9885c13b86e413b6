import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_HEADER } from '../../src/main/shell/policy'
import { ROOT } from '../helpers/cli'
import { SECURE_WEB_PREFERENCES } from '../helpers/expectations'

// Builds the app once with `electron-vite build` into a temp folder, then checks the OUTPUT: the built main
// process runs under Node with a recording stand-in for `electron` (test/helpers/fake-electron.mjs), so the
// window options, handlers and protocol checked here are the ones the packaged app would use.
let out = ''
let report: Record<string, unknown> = {}

beforeAll(() => {
  // Inside the project (git-ignored), so the bundle's bare imports resolve to node_modules as in the app.
  out = mkdtempSync(join(ROOT, '.aestudio-test-build-'))
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', out],
    {
      cwd: ROOT,
      stdio: 'pipe',
      timeout: 180_000
    }
  )
  const home = join(out, 'home')
  mkdirSync(join(home, 'runs', '1'), { recursive: true })
  writeFileSync(join(home, 'runs', '1', 'preview.png'), 'png')
  const run = spawnSync(
    process.execPath,
    ['--import', join(ROOT, 'test/helpers/fake-electron-loader.mjs'), join(out, 'main', 'index.js')],
    {
      cwd: ROOT,
      env: { ...process.env, AESTUDIO_HOME: home, ELECTRON_RENDERER_URL: '' },
      encoding: 'utf8',
      timeout: 60_000
    }
  )
  const line = run.stdout.trim().split('\n').pop() ?? ''
  if (!line.startsWith('{'))
    throw new Error(`The built main process did not report:\n${run.stdout}\n${run.stderr}`)
  report = JSON.parse(line) as Record<string, unknown>
}, 240_000)

afterAll(() => rmSync(out, { recursive: true, force: true }))

describe('the built app', () => {
  it('opens a window with the security checklist set', () => {
    const window = report.window as { webPreferences: Record<string, unknown>; show: boolean }
    expect(window.webPreferences).toMatchObject(SECURE_WEB_PREFERENCES)
    expect(String(window.webPreferences.preload)).toMatch(/preload[\\/]index\.cjs$/)
    expect(window.show).toBe(false)
    expect(report.singleInstanceLock).toBe(true)
  })

  it('loads the renderer from the app:// scheme, never file://', () => {
    expect(report.loaded).toEqual(['app://studio/index.html'])
    expect(report.schemes).toEqual([
      expect.objectContaining({
        scheme: 'app',
        privileges: expect.objectContaining({ standard: true, secure: true })
      })
    ])
    expect(report.page).toEqual({
      status: 200,
      csp: CONTENT_SECURITY_POLICY_HEADER,
      type: 'text/html; charset=utf-8'
    })
    expect(report.dataFile).toMatchObject({ status: 200, type: 'image/png' })
    expect(report.database).toMatchObject({ status: 403 })
    expect(report.traversal).toMatchObject({ status: 400 })
    expect(report.outsideRenderer).toMatchObject({ status: 400 })
  })

  it('denies permissions, new windows, navigation away and webviews', () => {
    expect(report.permissionGranted).toBe(false)
    expect(report.permissionCheck).toBe(false)
    expect(report.newWindow).toEqual({ action: 'deny' })
    expect(report.navigateAwayPrevented).toBe(true)
    expect(report.navigateFilePrevented).toBe(true)
    expect(report.navigateInsidePrevented).toBe(false)
    expect(report.webviewPrevented).toBe(true)
  })

  it('answers contract calls from the app and refuses foreign frames', () => {
    expect(report.foreignCall).toEqual({
      ok: false,
      error: { code: 'validation', message: 'Refused: the caller is not the app.' }
    })
    expect(report.appCall).toMatchObject({ ok: true, value: { name: 'Autoencoder Studio' } })
  })

  it('opens a hidden GPU worker window per job on demand, one channel end to it and one to the job', () => {
    const gpu = report.gpuWorker as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    // Not at start: only when a job asks.
    expect(gpu.windowsBefore).toBe(1)
    expect(gpu.window).toMatchObject({ show: false, skipTaskbar: true })
    // The same checklist as every window; kept running at full speed while hidden.
    expect(gpu.window.webPreferences).toMatchObject({
      ...SECURE_WEB_PREFERENCES,
      backgroundThrottling: false
    })
    expect(String(gpu.window.webPreferences.preload)).toMatch(/preload[\\/]gpu-worker\.cjs$/)
    expect(gpu.loaded).toBe('app://studio/gpu-worker.html')
    expect(gpu.navigateAwayPrevented).toBe(true)
    expect(gpu.webviewPrevented).toBe(true)
    // Port 1 of the first channel to the page (on the channel its preload listens to), port 2 to the job.
    expect(gpu.toPage).toEqual([{ channel: 'gpu-port', message: null, ports: ['c1:1'] }])
    expect(gpu.toJob).toEqual([{ message: { type: 'gpu-port' }, ports: ['c1:2'] }])
    // A second job gets a window of its own.
    expect(gpu.secondJob).toEqual({
      ownWindow: true,
      toPage: [{ channel: 'gpu-port', message: null, ports: ['c2:1'] }],
      toJob: ['c2:2']
    })
    expect(report.gpuPage).toEqual({
      status: 200,
      csp: CONTENT_SECURITY_POLICY_HEADER,
      type: 'text/html; charset=utf-8'
    })
  })

  it('tells a job when its GPU page crashes, opens a fresh one when asked, closes each with its job', () => {
    const gpu = report.gpuWorker as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(gpu.afterCrash).toEqual({
      destroyed: true,
      toA: [{ type: 'gpu-gone', reason: 'the GPU worker window crashed (crashed, exit code 139)' }],
      toB: [],
      bDestroyed: false
    })
    expect(gpu.reopened).toEqual({
      fresh: true,
      toPage: [{ channel: 'gpu-port', message: null, ports: ['c3:1'] }],
      toJob: [['c1:2'], ['c3:2']]
    })
    expect(gpu.whenAExited).toEqual({ aDestroyed: true, bDestroyed: false })
    expect(gpu.whenBExited).toEqual({ bDestroyed: true })
    // The app carries on: the jobs' ends are reported as any crashed job's are.
    expect(gpu.importResults).toMatchObject([
      { ok: false, error: { code: 'failed' } },
      { ok: false, error: { code: 'failed' } }
    ])
  })

  it("sets Chromium's WebGPU switches on Linux before the app is ready", () => {
    expect(report.switches).toEqual(
      process.platform === 'linux' ? [['enable-unsafe-webgpu'], ['enable-features', 'Vulkan']] : []
    )
  })

  it('installs the menu with the app commands', () => {
    const text = JSON.stringify(report.menu)
    for (const accel of ['CmdOrCtrl+O', 'CmdOrCtrl+E', 'CmdOrCtrl+,']) expect(text).toContain(accel)
    expect(text).toContain('"role":"quit"')
  })

  it('ships a strict CSP in the page, a tiny contract-only preload and a job entry beside main', () => {
    const html = readFileSync(join(out, 'renderer', 'index.html'), 'utf8')
    expect(html).toContain(`content="${CONTENT_SECURITY_POLICY}"`)
    // No inline scripts: every <script> has a src.
    expect(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g)).toBeNull()
    const preload = readFileSync(join(out, 'preload', 'index.cjs'), 'utf8')
    expect(preload).toContain('exposeInMainWorld("api"')
    expect(preload.split('\n').length).toBeLessThan(40)
    expect(preload).not.toMatch(/require\("(?!electron")/)
    expect(readFileSync(join(out, 'main', 'jobs.js'), 'utf8')).toContain('parentPort')
  })

  it('ships the GPU worker page under the same CSP, and a preload that only passes its port on', () => {
    const html = readFileSync(join(out, 'renderer', 'gpu-worker.html'), 'utf8')
    expect(html).toContain(`content="${CONTENT_SECURITY_POLICY}"`)
    expect(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g)).toBeNull()
    const preload = readFileSync(join(out, 'preload', 'gpu-worker.cjs'), 'utf8')
    expect(preload).toContain('window.postMessage(GPU_PORT_MESSAGE, "*", e.ports)')
    expect(preload).not.toContain('exposeInMainWorld')
    expect(preload).not.toMatch(/require\("(?!electron")/)
    // The UI's own bundle does not carry TensorFlow.js: only the GPU worker page does.
    const ui = readFileSync(join(out, 'renderer', 'index.html'), 'utf8').match(
      /src="\.\/assets\/([^"]+)"/
    )![1]
    expect(readFileSync(join(out, 'renderer', 'assets', ui), 'utf8')).not.toContain('tfjs')
  })

  it('packages with fuses set and native modules unpacked from asar', () => {
    const yml = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')
    for (const fuse of [
      'runAsNode: false',
      'enableNodeOptionsEnvironmentVariable: false',
      'enableNodeCliInspectArguments: false',
      'enableEmbeddedAsarIntegrityValidation: true',
      'onlyLoadAppFromAsar: true',
      'grantFileProtocolExtraPrivileges: false'
    ])
      expect(yml).toContain(fuse)
    for (const unpack of [
      "'**/*.node'",
      'node_modules/sharp/**',
      'node_modules/better-sqlite3/**',
      'node_modules/@tensorflow/tfjs-node/**'
    ])
      expect(yml).toContain(unpack)
    for (const target of ['AppImage', 'deb', 'dmg', 'nsis']) expect(yml).toMatch(new RegExp(`- ${target}\\b`))
    // sharp cannot read inside app.asar, so the sample images ship as real files where samplesRoot() looks.
    expect(yml).toMatch(/extraResources:\n {2}- from: resources\/samples\n {4}to: samples/)
    expect(yml).not.toContain('resources/samples/**')
  })
})
