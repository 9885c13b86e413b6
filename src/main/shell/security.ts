import { session, type WebContents, type WebPreferences } from 'electron'

/** Electron's security checklist, applied to every window we create. */
export const secureWindowOptions = (preload: string): WebPreferences => ({
  preload,
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  spellcheck: false
})

/** Deny every permission request (camera, notifications from pages, geolocation, ...). */
export function hardenSession(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, done) => done(false))
  session.defaultSession.setPermissionCheckHandler(() => false)
}

/** No new windows, no navigation away from the app; http(s) links open in the user's browser instead. */
export function hardenContents(contents: WebContents, openExternal: (url: string) => void): void {
  const appOrigin = () => new URL(contents.getURL() || 'about:blank').origin
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) openExternal(url)
    return { action: 'deny' }
  })
  contents.on('will-navigate', (event, url) => {
    if (new URL(url).origin !== appOrigin()) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
}
