import { build } from 'esbuild'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { SECURITY_HEADERS } from '../../../src/main/shell/policy'

const HERE = import.meta.dirname

/**
 * Bundles the worker page (the engine, tfjs and tfjs-backend-webgpu in one ES module) into `dir`, next to its
 * index.html. Returns the bundle's size and how long esbuild took.
 */
export async function buildWorkerPage(dir: string): Promise<{ bytes: number; ms: number }> {
  const started = performance.now()
  const out = join(dir, 'worker-page.js')
  await build({
    entryPoints: [join(HERE, 'worker-page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    outfile: out,
    logLevel: 'warning'
  })
  writeFileSync(join(dir, 'index.html'), readFileSync(join(HERE, 'index.html')))
  return { bytes: readFileSync(out).length, ms: performance.now() - started }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.bin': 'application/octet-stream'
}

/**
 * Serves `dir` on 127.0.0.1 (a secure context, as WebGPU requires) with the app's security headers, its
 * Content-Security-Policy included, so the page runs under the policy the app's windows have.
 */
export async function serveDir(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const name = path === '/' ? 'index.html' : path.slice(1)
    const type = TYPES[name.slice(name.lastIndexOf('.'))]
    if (!type || name.includes('/') || name.includes('..')) {
      res.writeHead(404).end()
      return
    }
    try {
      const body = readFileSync(join(dir, name))
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': type }).end(body)
    } catch {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}
