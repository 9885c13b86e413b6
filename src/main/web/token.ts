import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** A fresh unguessable token for one server run (128 bits, URL-safe). */
export const newToken = (): string => randomBytes(16).toString('base64url')

/** The cookie that remembers the token for one server (ports share cookies, so the port is in the name). */
export const cookieName = (port: number): string => `aestudio_token_${port}`

const sameToken = (given: string, expected: string): boolean => {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

function cookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim())
  }
  return null
}

/** The token a request carries: `?token=`, then the cookie, then `Authorization: Bearer`. */
export function requestToken(req: IncomingMessage, url: URL, port: number): string | null {
  const auth = req.headers.authorization
  return (
    url.searchParams.get('token') ??
    cookie(req, cookieName(port)) ??
    (auth?.startsWith('Bearer ') ? auth.slice(7) : null)
  )
}

export const tokenMatches = (req: IncomingMessage, url: URL, port: number, expected: string): boolean => {
  const given = requestToken(req, url, port)
  return given !== null && sameToken(given, expected)
}

/**
 * Browsers send cookies with cross-site WebSocket handshakes, so a socket must also come from a page of this
 * server: its Origin (when a browser sends one) must name the host the request was sent to.
 */
export function sameOriginRequest(req: IncomingMessage): boolean {
  const origin = req.headers.origin
  if (!origin) return true
  try {
    return new URL(origin).host === req.headers.host
  } catch {
    return false
  }
}
