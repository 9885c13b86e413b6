import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { activityOf } from '../../src/main/shell/activity'
import { menuTemplate, type MenuItemSpec } from '../../src/main/shell/menu-template'
import {
  CONTENT_SECURITY_POLICY,
  CONTENT_SECURITY_POLICY_HEADER,
  isTrustedUrl,
  mainWindowOptions,
  MIN_SIZE,
  secureWebPreferences
} from '../../src/main/shell/policy'
import { mimeType } from '../../src/main/web/mime'
import { isInside, PathRefused, resolveFileInside, safeJoin } from '../../src/main/web/paths'
import { SECURE_WEB_PREFERENCES } from '../helpers/expectations'
import { tempDir } from '../helpers/tmp'

describe('window options', () => {
  it('follow the security checklist', () => {
    const p = secureWebPreferences('/app/preload.cjs')
    expect(p).toMatchObject({ preload: '/app/preload.cjs', ...SECURE_WEB_PREFERENCES })
  })

  it('restore remembered bounds but never smaller than the minimum', () => {
    const o = mainWindowOptions('/p', { x: 10, y: 20, width: 300, height: 200 }, '#000')
    expect(o).toMatchObject({ x: 10, y: 20, width: MIN_SIZE.width, height: MIN_SIZE.height, show: false })
    expect(mainWindowOptions('/p', null, '#fff')).toMatchObject({ width: 1280, height: 820 })
  })
})

describe('sender origin', () => {
  it('trusts only the app scheme (and the dev server when one is set)', () => {
    expect(isTrustedUrl('app://studio/index.html')).toBe(true)
    expect(isTrustedUrl('app://studio/')).toBe(true)
    for (const bad of [
      'file:///home/me/out/renderer/index.html',
      'app://evil/index.html',
      'https://example.com/',
      'http://localhost:5173/',
      'about:blank',
      'data:text/html,<script>1</script>',
      'javascript:alert(1)',
      '',
      undefined,
      'not a url'
    ])
      expect(isTrustedUrl(bad), String(bad)).toBe(false)
    expect(isTrustedUrl('http://localhost:5173/src/main.ts', 'http://localhost:5173')).toBe(true)
    expect(isTrustedUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false)
  })
})

describe('content security policy', () => {
  it('is strict and identical in the page and in the served headers', () => {
    const html = readFileSync(join(import.meta.dirname, '../../src/renderer/index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1]
    expect(meta).toBe(CONTENT_SECURITY_POLICY)
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'")
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'")
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/)
    expect(CONTENT_SECURITY_POLICY_HEADER).toBe(`${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`)
  })
})

describe('path containment', () => {
  const setup = () => {
    const dir = tempDir()
    const root = join(dir, 'home')
    mkdirSync(join(root, 'runs', '1'), { recursive: true })
    writeFileSync(join(root, 'runs', '1', 'preview.png'), 'png')
    writeFileSync(join(dir, 'secret.txt'), 'secret')
    symlinkSync(join(dir, 'secret.txt'), join(root, 'escape.txt'))
    symlinkSync(join(root, 'runs', '1', 'preview.png'), join(root, 'inside.png'))
    symlinkSync(dir, join(root, 'outdir'))
    return { dir, root }
  }

  it('serves files under the root, following links that stay inside', async () => {
    const { root } = setup()
    expect(await resolveFileInside(root, 'runs/1/preview.png')).toBe(join(root, 'runs', '1', 'preview.png'))
    expect(await resolveFileInside(root, 'runs/1/preview%2Epng')).toBe(join(root, 'runs', '1', 'preview.png'))
    expect(await resolveFileInside(root, 'inside.png')).toBe(join(root, 'runs', '1', 'preview.png'))
  })

  it.each([
    ['../secret.txt', 400],
    ['runs/../../secret.txt', 400],
    ['%2e%2e/secret.txt', 400],
    ['..%2Fsecret.txt', 400],
    ['runs/%2e%2e/%2e%2e/secret.txt', 400],
    ['..\\secret.txt', 400],
    ['%5c..%5csecret.txt', 400],
    ['//etc/passwd', 400],
    ['C:/Windows/win.ini', 400],
    ['c%3a%5cWindows', 400],
    ['runs/1/preview.png%00.txt', 400],
    ['%E0%A4%A', 400],
    ['.hidden', 403],
    ['escape.txt', 403],
    ['outdir/secret.txt', 403],
    ['runs/1/missing.png', 404],
    ['runs', 404]
  ])('refuses %s (%i)', async (path, status) => {
    const { root } = setup()
    const err = await resolveFileInside(root, path).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PathRefused)
    expect((err as PathRefused).status).toBe(status)
  })

  it('refuses absolute paths outright', () => {
    expect(() => safeJoin('/data/home', '/etc/passwd')).toThrow(/Absolute/)
    expect(() => safeJoin('/data/home', '%2Fetc%2Fpasswd')).toThrow(/Absolute/)
    expect(safeJoin('/data/home', 'runs/1/a.png')).toBe('/data/home/runs/1/a.png')
  })

  it('tells absolute paths inside the data directory from others', () => {
    expect(isInside('/data/home', '/data/home/runs/1')).toBe(true)
    expect(isInside('/data/home', '/data/home/../other')).toBe(false)
    expect(isInside('/data/home', '/data/homework')).toBe(false)
    expect(isInside('/data/home', 'runs/1')).toBe(false)
  })

  it('gives images their type and everything unknown a download type', () => {
    expect(mimeType('a/b.GIF')).toBe('image/gif')
    expect(mimeType('x.html')).toBe('text/html; charset=utf-8')
    expect(mimeType('studio.db')).toBe('application/octet-stream')
  })
})

describe('native menu', () => {
  const flat = (items: MenuItemSpec[]): MenuItemSpec[] => items.flatMap((i) => [i, ...flat(i.submenu ?? [])])

  it.each(['linux', 'win32', 'darwin'] as const)(
    'has the app commands with accelerators on %s',
    (platform) => {
      const items = flat(menuTemplate(platform, 'Autoencoder Studio'))
      const by = (command: string) => items.find((i) => i.command === command)
      expect(by('import-folder')?.accelerator).toBe('CmdOrCtrl+O')
      expect(by('export-gif')?.accelerator).toBe('CmdOrCtrl+E')
      expect(by('preferences')?.accelerator).toBe('CmdOrCtrl+,')
      expect(items.filter((i) => i.role === 'quit')).toHaveLength(1)
      expect(items.some((i) => i.role === 'toggleDevTools')).toBe(false)
    }
  )
})

describe('taskbar activity', () => {
  it('turns training and import events into progress and a run end into a notification', () => {
    expect(activityOf('training.epoch', { runId: 1, epoch: 5, epochs: 20 })).toEqual({
      kind: 'progress',
      fraction: 0.25
    })
    expect(activityOf('training.batch', { runId: 1, epoch: 1, epochs: 2, batch: 5, batches: 10 })).toEqual({
      kind: 'progress',
      fraction: 0.25
    })
    expect(activityOf('datasets.progress', { done: 3, total: 4 })).toEqual({
      kind: 'progress',
      fraction: 0.75
    })
    const end = activityOf('training.status', { runId: 7, status: 'done' })
    expect(end).toMatchObject({ kind: 'finished', body: 'Run 7 finished training' })
    expect(activityOf('training.status', { runId: 7, status: 'failed', error: 'NaN loss' })).toMatchObject({
      body: 'Run 7 failed: NaN loss'
    })
    expect(activityOf('training.status', { runId: 7, status: 'running' })).toBeNull()
    expect(activityOf('settings.changed', { theme: 'dark' })).toBeNull()
    expect(activityOf('training.epoch', null)).toBeNull()
  })
})
