import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { aestudio, ROOT } from '../helpers/cli'
import { tempDir } from '../helpers/tmp'

describe('aestudio serve', () => {
  it('serves the built app on 127.0.0.1 with a printed token, and stops cleanly on Ctrl+C', async () => {
    const dir = tempDir()
    const renderer = join(dir, 'renderer')
    mkdirSync(renderer)
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>served</title>')
    const child = spawn(process.execPath, [join(ROOT, 'bin/aestudio.js'), 'serve', '--json'], {
      cwd: ROOT,
      env: { ...process.env, AESTUDIO_HOME: join(dir, 'home'), AESTUDIO_RENDERER_DIR: renderer }
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    const line = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        if (out.includes('\n')) resolve(out.split('\n')[0])
      })
      child.on('exit', () => reject(new Error(`serve exited early: ${out}`)))
    })
    const { url, openUrl, token } = JSON.parse(line) as { url: string; openUrl: string; token: string }
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(token).toMatch(/^[\w-]{20,}$/)
    expect(openUrl).toBe(`${url}?token=${token}`)
    expect((await fetch(url)).status).toBe(401)
    const first = await fetch(openUrl, { redirect: 'manual' })
    expect(first.status).toBe(303)
    const page = await fetch(url, { headers: { cookie: first.headers.get('set-cookie')!.split(';')[0] } })
    expect(await page.text()).toContain('<title>served</title>')
    child.kill('SIGINT')
    expect(await exited).toBe(0)
  })

  it('says how to build when the app is not built, and refuses a bad port', () => {
    const home = tempDir()
    // The helper passes this process's environment on: point the renderer at a folder that does not exist.
    process.env.AESTUDIO_RENDERER_DIR = join(home, 'not-built')
    try {
      const missing = aestudio(['serve'], home, 60_000)
      expect(missing.status).toBe(1)
      expect(missing.stderr).toMatch(/not built yet.*npm run serve.*electron-vite build/s)
      expect(missing.stderr).not.toMatch(/\n\s+at /)
    } finally {
      delete process.env.AESTUDIO_RENDERER_DIR
    }
    const bad = aestudio(['serve', '--port', 'eighty'], home)
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/--port must be a number/)
    const range = aestudio(['serve', '--port', '70000'], home)
    expect(range.status).toBe(2)
  })
})
