import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { join, resolve, sep } from 'node:path'
import { SECURITY_HEADERS } from '../../src/main/shell/policy'
import { mimeType } from '../../src/main/web/mime'

/**
 * Serves the BUILT renderer folder (out/renderer) on 127.0.0.1 — a secure context, as WebGPU requires — with
 * the headers app://studio/ sends, its Content-Security-Policy included, so a page runs under the policy it
 * has in the app. Files outside the folder are never served.
 */
export async function serveRenderer(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const root = resolve(dir)
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname)
    const file = resolve(join(root, path))
    if (!file.startsWith(root + sep)) return void res.writeHead(404).end()
    readFile(file).then(
      (body) => res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': mimeType(file) }).end(body),
      () => res.writeHead(404, SECURITY_HEADERS).end()
    )
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((done) => server.close(() => done()))
  }
}
