// The web-mode server: the built renderer, the contract over a WebSocket, data files and uploads, all behind one
// token. Plain Node (no `electron` import) so `aestudio serve`, tests and headless GPU boxes can run it.
import { createReadStream, existsSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import {
  FILES_PATH,
  UPLOAD_PATH,
  WS_PATH,
  type ClientMessage,
  type ServerMessage
} from '../../shared/ipc-channels'
import { dispatch, type Handlers } from '../rpc/dispatch'
import type { EventHub } from '../rpc/events'
import { SECURITY_HEADERS } from '../shell/policy'
import { mimeType } from './mime'
import { PathRefused, resolveDataFile, resolveFileInside } from './paths'
import { cookieName, newToken, sameOriginRequest, tokenMatches } from './token'
import { receiveUpload } from './upload'

export interface WebServerOptions {
  handlers: Handlers
  events: EventHub
  /** The data directory: files under it are served at /files/. */
  home: string
  /** The built renderer (out/renderer). */
  rendererDir: string
  host?: string
  port?: number
  /** Fixed token (tests); a random one otherwise. */
  token?: string
}

export interface WebServer {
  readonly url: string
  /** The URL to open: includes the token. */
  readonly openUrl: string
  readonly token: string
  readonly port: number
  readonly server: Server
  close(): Promise<void>
}

/** Largest message a page may send over the socket; contract payloads are small. */
const MAX_MESSAGE_BYTES = 1024 * 1024

const UNAUTHORIZED_PAGE =
  '<!doctype html><meta charset="utf-8"><title>Autoencoder Studio</title>' +
  '<p>This studio server needs its access token. Open the full address that <code>aestudio serve</code> ' +
  'printed when it started (it ends with <code>?token=…</code>).</p>'

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store' })
  res.end(body)
}

async function sendFile(
  res: ServerResponse,
  root: string,
  urlPath: string,
  head: boolean,
  resolveFile = resolveFileInside
): Promise<void> {
  const file = await resolveFile(root, urlPath)
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': mimeType(file), 'Cache-Control': 'no-cache' })
  if (head) return void res.end()
  await new Promise<void>((resolve, reject) =>
    createReadStream(file).on('error', reject).on('end', resolve).pipe(res)
  )
}

/** Parses one socket message into a call, or says what is wrong with it. */
function parseMessage(raw: string): ClientMessage | { id: number; error: string } {
  let msg: unknown
  try {
    msg = JSON.parse(raw)
  } catch {
    return { id: 0, error: 'The message is not JSON.' }
  }
  const m = msg as Partial<ClientMessage> | null
  const id = typeof m?.id === 'number' && Number.isSafeInteger(m.id) ? m.id : 0
  if (typeof m !== 'object' || m === null || Array.isArray(m))
    return { id, error: 'The message is not an object.' }
  if (id === 0) return { id, error: 'The message needs a numeric id.' }
  if (typeof m.name !== 'string') return { id, error: 'The message needs a call name.' }
  return { id, name: m.name, input: m.input }
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? newToken()
  const host = options.host ?? '127.0.0.1'
  const index = join(options.rendererDir, 'index.html')
  let port = 0
  const authorized = (req: IncomingMessage, url: URL) => tokenMatches(req, url, port, token)

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    // Route on the path as sent: URL parsing would quietly resolve `..` segments that we want to refuse.
    const path = (req.url ?? '/').split('?')[0]
    if (!authorized(req, url)) {
      const page = req.method === 'GET' && (path === '/' || path === '/index.html')
      return page
        ? send(res, 401, UNAUTHORIZED_PAGE, 'text/html; charset=utf-8')
        : send(res, 401, 'Token required.')
    }
    // First visit with ?token=: remember it in a cookie (for images, assets and the socket), then drop it from
    // the address bar so it does not linger in history or get copied around.
    if (url.searchParams.has('token') && req.method === 'GET' && !path.startsWith(FILES_PATH)) {
      url.searchParams.delete('token')
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        'Set-Cookie': `${cookieName(port)}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`,
        // One leading slash only: `//host` would be an open redirect.
        Location: '/' + url.pathname.replace(/^\/+/, '') + url.search
      })
      return void res.end()
    }
    if (path === UPLOAD_PATH) {
      if (req.method !== 'POST') return send(res, 405, 'Use POST to upload.')
      if (!sameOriginRequest(req)) return send(res, 403, 'Cross-site uploads are refused.')
      const result = await receiveUpload(
        req,
        options.home,
        url.searchParams.get('batch'),
        url.searchParams.get('name')
      )
      return send(res, 200, JSON.stringify(result), 'application/json; charset=utf-8')
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed.')
    const head = req.method === 'HEAD'
    if (path.startsWith(FILES_PATH)) {
      return sendFile(res, options.home, path.slice(FILES_PATH.length), head, resolveDataFile)
    }
    if (!existsSync(index)) {
      return send(
        res,
        503,
        `The app is not built yet (${index} is missing). Run \`npm run serve\`, or \`npx electron-vite build\` first.`
      )
    }
    return sendFile(res, options.rendererDir, path === '/' ? 'index.html' : path.slice(1), head)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy()
      if (err instanceof PathRefused) return send(res, err.status, err.message)
      send(res, 500, err instanceof Error ? err.message : String(err))
    })
  })

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname !== WS_PATH || !authorized(req, url) || !sameOriginRequest(req)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req))
  })

  const reply = (ws: WebSocket, msg: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg))
  }
  sockets.on('connection', (ws: WebSocket) => {
    ws.on('message', async (data, isBinary) => {
      const msg = isBinary
        ? { id: 0, error: 'Binary messages are not understood.' }
        : parseMessage(String(data))
      if ('error' in msg) {
        return reply(ws, {
          id: msg.id,
          result: { ok: false, error: { code: 'validation', message: msg.error } }
        })
      }
      reply(ws, { id: msg.id, result: await dispatch(options.handlers, msg.name, msg.input) })
    })
    ws.on('error', () => ws.terminate())
  })
  // One subscription for all sockets: each event is serialised once and pushed to every page.
  const unsubscribe = options.events.subscribe((event, payload) => {
    const text = JSON.stringify({ event, payload } satisfies ServerMessage)
    for (const ws of sockets.clients) if (ws.readyState === ws.OPEN) ws.send(text)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  port = (server.address() as AddressInfo).port
  const shownHost = host.includes(':') ? `[${host}]` : host
  const url = `http://${shownHost}:${port}/`
  return {
    url,
    openUrl: `${url}?token=${token}`,
    token,
    port,
    server,
    async close() {
      unsubscribe()
      for (const ws of sockets.clients) ws.terminate()
      await new Promise<void>((resolve) => sockets.close(() => resolve()))
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
