/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The renderer's transport and upload helpers run here against the real server, so DOM types are needed.
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import * as v from 'valibot'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { calls, type CallName } from '../../src/shared/contract/index'
import { EventHub } from '../../src/main/rpc/events'
import type { Studio } from '../../src/main/services/studio'
import { CONTENT_SECURITY_POLICY_HEADER } from '../../src/main/shell/policy'
import type { WebServer } from '../../src/main/web/server'
import { webSocketApi } from '../../src/renderer/src/api/web'
import { uploadFiles } from '../../src/renderer/src/api/files'
import { ApiError } from '../../src/renderer/src/api/client'
import { fuzzPayloads } from '../helpers/fuzz-payloads'
import { tempDir } from '../helpers/tmp'
import { serveStudio } from '../helpers/web-studio'

const TOKEN = 'test-token-0123456789'
/** Malformed payloads sent to every contract call over the socket. */
const PER_CALL = 200
let cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanup.reverse()) await c()
  cleanup = []
})

async function serve(): Promise<{ server: WebServer; studio: Studio; hub: EventHub; renderer: string }> {
  const dir = tempDir()
  const renderer = join(dir, 'renderer')
  mkdirSync(join(renderer, 'assets'), { recursive: true })
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>studio</title>')
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)')
  const { studio, hub, server, close } = await serveStudio(dir, renderer, TOKEN)
  cleanup.push(close)
  return { server, studio, hub, renderer }
}

const connect = (url: string, headers: Record<string, string> = {}) =>
  webSocketApi({ url, createSocket: (u) => new WebSocket(u, { headers }) as unknown as globalThis.WebSocket })

/** A raw HTTP request, so paths reach the server exactly as written (fetch would normalise `..`). */
function raw(
  server: WebServer,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: Buffer
) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8')
          })
        )
      })
      req.on('error', reject)
      req.end(body)
    }
  )
}

/** Opens a socket and reports whether the server let it in (and with what HTTP status if not). */
const handshake = (url: string, headers: Record<string, string> = {}) =>
  new Promise<number>((resolve) => {
    const ws = new WebSocket(url, { headers })
    ws.on('open', () => (ws.close(), resolve(101)))
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.on('error', () => resolve(-1))
  })

describe('web mode', () => {
  it('round-trips contract calls and typed errors over the socket with the token', async () => {
    const { server, studio } = await serve()
    const api = connect(`ws://127.0.0.1:${server.port}/rpc?token=${TOKEN}`)
    cleanup.push(async () => api.close())
    const info = await api.invoke('app.info', undefined)
    expect(info).toMatchObject({ name: 'Autoencoder Studio', dataDir: studio.paths.home })
    const [a, b] = await Promise.all([
      api.invoke('app.info', undefined),
      api.invoke('settings.get', undefined)
    ])
    expect(a.version).toBe(info.version)
    expect(b.dataDir).toBe(studio.paths.home)
    const err = await api.invoke('dialog.openFolder', undefined).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/desktop app/) })
    const bad = await api.invoke('settings.update', { latent: 1 } as never).catch((e: unknown) => e)
    expect(bad).toMatchObject({ code: 'validation', issues: [expect.stringMatching(/^latent: /)] })
  })

  it('pushes events to every connected page', async () => {
    const { server, hub } = await serve()
    const pages = [1, 2].map(() => connect(`ws://127.0.0.1:${server.port}/rpc?token=${TOKEN}`))
    cleanup.push(async () => pages.forEach((p) => p.close()))
    const got = pages.map((p) => new Promise((resolve) => p.on('menu.command', resolve)))
    await Promise.all(pages.map((p) => p.invoke('app.info', undefined)))
    hub.emit('menu.command', { command: 'import-folder' })
    expect(await Promise.all(got)).toEqual([{ command: 'import-folder' }, { command: 'import-folder' }])
  })

  it('refuses sockets without the right token, or from another site', async () => {
    const { server } = await serve()
    const base = `ws://127.0.0.1:${server.port}/rpc`
    expect(await handshake(base)).toBe(401)
    expect(await handshake(`${base}?token=wrong`)).toBe(401)
    expect(await handshake(`${base}?token=${TOKEN}x`)).toBe(401)
    expect(await handshake(`ws://127.0.0.1:${server.port}/other?token=${TOKEN}`)).toBe(401)
    expect(await handshake(`${base}?token=${TOKEN}`, { origin: 'https://evil.example' })).toBe(401)
    expect(await handshake(`${base}?token=${TOKEN}`, { origin: `http://127.0.0.1:${server.port}` })).toBe(101)
    expect(await handshake(base, { cookie: `aestudio_token_${server.port}=${TOKEN}` })).toBe(101)
    expect(await handshake(base, { authorization: `Bearer ${TOKEN}` })).toBe(101)
    const api = connect(base)
    const err = await api.invoke('app.info', undefined).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/\?token=/) })
    api.close()
  })

  it('serves the page only with the token, then remembers it in a cookie', async () => {
    const { server } = await serve()
    const refused = await raw(server, '/')
    expect(refused.status).toBe(401)
    expect(refused.body).toContain('?token=')
    expect((await raw(server, '/assets/app.js')).status).toBe(401)
    const first = await raw(server, `/?token=${TOKEN}`)
    expect(first.status).toBe(303)
    expect(first.headers.location).toBe('/')
    const cookie = String(first.headers['set-cookie']).split(';')[0]
    // Never an open redirect to another host.
    expect((await raw(server, `//evil.example/?token=${TOKEN}`)).headers.location).toMatch(/^\/(?!\/)/)
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/)
    const page = await raw(server, '/', { cookie })
    expect(page.status).toBe(200)
    expect(page.body).toContain('<title>studio</title>')
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY_HEADER)
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect((await raw(server, '/assets/app.js', { cookie })).headers['content-type']).toMatch(/javascript/)
  })

  it('serves data files under the same containment rules, with the token', async () => {
    const { server, studio } = await serve()
    const home = studio.paths.home
    mkdirSync(join(home, 'runs', '3'), { recursive: true })
    writeFileSync(join(home, 'runs', '3', 'morph.gif'), 'GIF89a')
    writeFileSync(join(home, '..', 'outside.txt'), 'secret')
    symlinkSync(join(home, '..', 'outside.txt'), join(home, 'link.txt'))
    const auth = { authorization: `Bearer ${TOKEN}` }
    const ok = await raw(server, '/files/runs/3/morph.gif', auth)
    expect(ok).toMatchObject({ status: 200, body: 'GIF89a' })
    expect(ok.headers['content-type']).toBe('image/gif')
    expect((await raw(server, '/files/runs/3/morph.gif')).status).toBe(401)
    expect((await raw(server, `/files/runs/3/morph.gif?token=${TOKEN}`)).status).toBe(200)
    for (const [path, status] of [
      ['/files/../outside.txt', 400],
      ['/files/%2e%2e/outside.txt', 400],
      ['/files/runs/..%2f..%2foutside.txt', 400],
      ['/files//etc/passwd', 400],
      ['/files/%2Fetc%2Fpasswd', 400],
      ['/files/link.txt', 403],
      ['/files/studio.db-wal/../studio.db', 400],
      ['/files/runs/3/nothing.gif', 404],
      ['/files/studio.db', 403],
      ['/files/studio.db-wal', 403]
    ] as const) {
      const r = await raw(server, path, auth)
      expect(r.status, path).toBe(status)
      expect(r.body).not.toContain('secret')
    }
    expect((await raw(server, '/../../etc/passwd', auth)).status).toBe(400)
  })

  it('takes dropped files as uploads into a new folder under uploads/, ready to import', async () => {
    const { server, studio } = await serve()
    const origin = `http://127.0.0.1:${server.port}`
    const authFetch: typeof fetch = (url, init) =>
      fetch(url, { ...init, headers: { ...(init?.headers as object), authorization: `Bearer ${TOKEN}` } })
    const files = [
      new File([new Uint8Array([1, 2, 3])], 'a.png'),
      Object.assign(new File([new Uint8Array([4, 5])], 'b.jpg'), { webkitRelativePath: 'faces/sub/b.jpg' }),
      Object.assign(new File([new Uint8Array([6])], '.DS_Store'), { webkitRelativePath: 'faces/.DS_Store' })
    ]
    const [folder] = await uploadFiles(files, { fetchFn: authFetch, base: origin })
    expect(folder.startsWith(join(studio.paths.home, 'uploads') + '/')).toBe(true)
    expect([...readFileSync(join(folder, 'a.png'))]).toEqual([1, 2, 3])
    expect([...readFileSync(join(folder, 'faces', 'sub', 'b.jpg'))]).toEqual([4, 5])
    expect(readdirSync(folder).sort()).toEqual(['a.png', 'faces'])
    expect(readdirSync(join(folder, 'faces'))).toEqual(['sub'])

    const batch = crypto.randomUUID()
    const post = (query: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
      raw(server, `/upload?${query}`, headers, 'POST', Buffer.from('x'))
    expect((await post(`batch=${batch}&name=ok.png`, {})).status).toBe(401)
    expect((await post(`batch=not-a-uuid&name=x.png`)).status).toBe(400)
    expect((await post(`batch=${batch}&name=..%2F..%2Fescape.png`)).status).toBe(400)
    expect((await post(`batch=${batch}&name=%2Fetc%2Fescape.png`)).status).toBe(400)
    expect((await post(`batch=${batch}`)).status).toBe(400)
    expect(
      (await raw(server, `/upload?batch=${batch}&name=x.png`, { authorization: `Bearer ${TOKEN}` })).status
    ).toBe(405)
    const cross = await post(`batch=${batch}&name=x.png`, {
      authorization: `Bearer ${TOKEN}`,
      origin: 'https://evil.example'
    })
    expect(cross.status).toBe(403)
    expect(readdirSync(join(studio.paths.home, 'uploads'))).toEqual([folder.split('/').pop()])
  })

  it('answers hundreds of malformed messages and payloads with validation errors and keeps serving', async () => {
    const { server } = await serve()
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/rpc?token=${TOKEN}`)
    await new Promise((r) => ws.once('open', r))
    cleanup.push(async () => ws.close())
    const replies = new Map<number, { ok: boolean; error?: { code: string } }>()
    const waiting = new Map<number, () => void>()
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as {
        id?: number
        result?: { ok: boolean; error?: { code: string } }
      }
      if (msg.id === undefined || !msg.result) return
      replies.set(msg.id, msg.result)
      waiting.get(msg.id)?.()
    })
    const call = (id: number, text: string) =>
      new Promise<{ ok: boolean; error?: { code: string } }>((resolve) => {
        waiting.set(id, () => resolve(replies.get(id)!))
        ws.send(text)
      })

    // Broken envelopes: not JSON, not objects, no id, no name.
    for (const text of [
      '',
      'nope',
      '[]',
      'null',
      '42',
      '{"id":"x","name":"app.info"}',
      '{"id":0}',
      '{"id":1.5}'
    ]) {
      ws.send(text)
    }
    let id = 1
    expect(await call(id, JSON.stringify({ id: id++ }))).toMatchObject({
      ok: false,
      error: { code: 'validation' }
    })
    expect(await call(id, JSON.stringify({ id: id++, name: 'no.such' }))).toMatchObject({
      error: { code: 'validation' }
    })

    // 200 malformed payloads to every call, each call's batch sent at once (as a hostile page could).
    const names = Object.keys(calls) as CallName[]
    for (const [index, name] of names.entries()) {
      const malformed = fuzzPayloads(calls[name].input, 800, 7000 + index)
        .map((p) => (p === undefined ? p : JSON.parse(JSON.stringify(p) ?? 'null')))
        .filter((p) => !v.safeParse(calls[name].input, p).success)
        .slice(0, PER_CALL)
      expect(malformed.length, name).toBe(PER_CALL)
      const results = await Promise.all(
        malformed.map((input) => call(id, JSON.stringify({ id: id++, name, input })))
      )
      for (const [i, r] of results.entries())
        expect(r, `${name} ${JSON.stringify(malformed[i])?.slice(0, 100)}`).toMatchObject({
          ok: false,
          error: { code: 'validation' }
        })
      expect(await call(id, JSON.stringify({ id: id++, name: 'app.info' }))).toMatchObject({ ok: true })
    }
    expect(await call(id, JSON.stringify({ id: id++, name: 'app.info' }))).toMatchObject({ ok: true })
    // An oversized message closes that socket only; the server keeps serving others.
    const big = new WebSocket(`ws://127.0.0.1:${server.port}/rpc?token=${TOKEN}`)
    await new Promise((r) => big.once('open', r))
    const closed = new Promise<number>((r) => big.once('close', r))
    big.send('x'.repeat(2 * 1024 * 1024))
    expect(await closed).toBe(1009)
    expect(await call(id, JSON.stringify({ id: id++, name: 'app.info' }))).toMatchObject({ ok: true })
  })

  it('says how to build the app when the renderer is missing', async () => {
    const { server, renderer } = await serve()
    const { rmSync } = await import('node:fs')
    rmSync(renderer, { recursive: true })
    const r = await raw(server, '/', { authorization: `Bearer ${TOKEN}` })
    expect(r.status).toBe(503)
    expect(r.body).toMatch(/npm run serve/)
  })
})
