import { protocol } from 'electron'
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { FILES_PATH } from '../../shared/ipc-channels'
import { mimeType } from '../web/mime'
import { PathRefused, resolveDataFile, resolveFileInside } from '../web/paths'
import { APP_HOST, APP_SCHEME, SECURITY_HEADERS } from './policy'

/** Must run before `app` is ready: app:// behaves like https (secure context, fetch, CSP 'self'). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: true }
    }
  ])
}

/**
 * Serves app://studio/: the built renderer, and /files/<path> from the data directory. Both go through the same
 * containment as the web server (no `..`, no absolute paths, no symlinks leaving the folder); nothing else on
 * disk is reachable, and the pages are never file:// URLs.
 */
export function handleAppScheme(rendererDir: string, home: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url)
    if (url.host !== APP_HOST) return new Response('Not found.', { status: 404 })
    const data = url.pathname.startsWith(FILES_PATH)
    try {
      const file = data
        ? await resolveDataFile(home, url.pathname.slice(FILES_PATH.length))
        : await resolveFileInside(rendererDir, url.pathname === '/' ? 'index.html' : url.pathname.slice(1))
      const body = Readable.toWeb(createReadStream(file)) as ReadableStream
      return new Response(body, { headers: { ...SECURITY_HEADERS, 'Content-Type': mimeType(file) } })
    } catch (err) {
      const status = err instanceof PathRefused ? err.status : 500
      return new Response(err instanceof Error ? err.message : 'Failed.', {
        status,
        headers: SECURITY_HEADERS
      })
    }
  })
}
