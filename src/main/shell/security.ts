import { session, type WebContents } from 'electron'
import { isTrustedUrl } from './policy'

export { secureWebPreferences } from './policy'

/** Deny every permission request and check (camera, geolocation, notifications from pages, ...). */
export function hardenSession(): void {
  const s = session.defaultSession
  s.setPermissionRequestHandler((_wc, _permission, done) => done(false))
  s.setPermissionCheckHandler(() => false)
  s.setDevicePermissionHandler(() => false)
  s.on('will-download', (event) => event.preventDefault())
}

/** No new windows, no navigation away from the app, no webviews; http(s) links open in the user's browser. */
export function hardenContents(contents: WebContents, openExternal: (url: string) => void): void {
  const dev = process.env.ELECTRON_RENDERER_URL
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) openExternal(url)
    return { action: 'deny' }
  })
  const stayHome = (event: { preventDefault(): void }, url: string) => {
    if (!isTrustedUrl(url, dev)) event.preventDefault()
  }
  contents.on('will-navigate', stayHome)
  contents.on('will-redirect', stayHome)
  contents.on('will-attach-webview', (event) => event.preventDefault())
}
