// Electron's security checklist as plain data, without importing `electron`, so tests check it in Node and the
// web server reuses the same Content-Security-Policy.

/** The app's own origin: the renderer and data files are served from this scheme, never from file://. */
export const APP_SCHEME = 'app'
export const APP_HOST = 'studio'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

/**
 * The strictest policy the UI runs under: only our own scripts, no eval, no plugins, no framing, images from
 * ourselves (data files included) and data:/blob: URLs made by the page. Must match src/renderer/index.html.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  `img-src 'self' data: blob: ${APP_SCHEME}:`,
  "font-src 'self'",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'"
].join('; ')

/** As sent in headers: `frame-ancestors` only works there (browsers ignore it in a <meta> tag, noisily). */
export const CONTENT_SECURITY_POLICY_HEADER = `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`

/** Headers sent with every page and file, from the app:// scheme and from the web server alike. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY_HEADER,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY'
}

/** The subset of Electron's WebPreferences we set; a plain object so a test can read it from the build. */
export interface SecureWebPreferences {
  preload: string
  contextIsolation: true
  sandbox: true
  nodeIntegration: false
  nodeIntegrationInWorker: false
  nodeIntegrationInSubFrames: false
  webSecurity: true
  allowRunningInsecureContent: false
  experimentalFeatures: false
  webviewTag: false
  navigateOnDragDrop: false
  spellcheck: false
}

/** Electron's security checklist, applied to every window we create. */
export const secureWebPreferences = (preload: string): SecureWebPreferences => ({
  preload,
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  // A file dropped outside a drop zone must not replace the app with that file.
  navigateOnDragDrop: false,
  spellcheck: false
})

export interface WindowBounds {
  x?: number
  y?: number
  width: number
  height: number
  maximized?: boolean
}

export const DEFAULT_BOUNDS: WindowBounds = { width: 1280, height: 820 }
export const MIN_SIZE = { width: 900, height: 600 }

/** Options for the main window: remembered bounds (clamped to sane sizes) and the secure preferences. */
export function mainWindowOptions(preload: string, bounds: WindowBounds | null, background: string) {
  const b = bounds ?? DEFAULT_BOUNDS
  return {
    x: b.x,
    y: b.y,
    width: Math.max(MIN_SIZE.width, Math.round(b.width)),
    height: Math.max(MIN_SIZE.height, Math.round(b.height)),
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: 'Autoencoder Studio',
    backgroundColor: background,
    webPreferences: secureWebPreferences(preload)
  }
}

/**
 * Whether a frame's URL is the app's own renderer: `app://studio/...` when packaged or built, the dev server's
 * origin during `electron-vite dev`. Anything else (file://, remote pages, about:blank, data:) is refused.
 */
export function isTrustedUrl(url: string | undefined | null, devServerUrl?: string): boolean {
  if (!url) return false
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST) return true
  if (devServerUrl) {
    try {
      return parsed.origin === new URL(devServerUrl).origin && parsed.origin !== 'null'
    } catch {
      return false
    }
  }
  return false
}
