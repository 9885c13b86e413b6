import type { StudioApi } from '../../../shared/contract/index'
import { TOKEN_COOKIE } from '../../../shared/ipc-channels'
import { electronApi } from './client'
import { electronDroppedPaths, fileUrl, uploadFiles } from './files'
import { webSocketApi, webSocketUrl } from './web'

export { ApiError, unwrap } from './client'
export { filesFromDataTransfer } from './files'

/** The app's own scheme in the desktop app; data files live under it at /files/. */
const APP_ORIGIN = 'app://studio'

export interface Api extends StudioApi {
  /** Electron: the real paths of dropped files/folders. Web: uploads the bytes and returns the server folder. */
  droppedPaths(files: FileList | File[]): Promise<string[]>
  /** URL for an <img> or download link of a file under the data directory (relative, or absolute inside it). */
  fileUrl(path: string): string
  /** 'desktop' has OS dialogs and real paths; 'web' uploads drops and downloads exports. */
  readonly mode: 'desktop' | 'web'
}

/** The access token in web mode: from the page URL (`?token=`), remembered for reloads in this tab. */
function webToken(): string | null {
  const fromUrl = new URLSearchParams(location.search).get('token')
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_COOKIE, fromUrl)
    return fromUrl
  }
  return sessionStorage.getItem(TOKEN_COOKIE)
}

let instance: Api | null = null

/** The one API for the renderer: Electron's preload bridge when present, else the web-mode socket. */
export function createApi(): Api {
  if (instance) return instance
  const bridge = electronApi()
  let dataDir: string | null = null
  let api: Api
  if (bridge && window.api) {
    const pathForFile = window.api.pathForFile
    // Pages from the dev server are on http://localhost; data files are still served by the app:// scheme.
    const origin = location.protocol === 'app:' ? '' : APP_ORIGIN
    api = {
      ...bridge,
      mode: 'desktop',
      droppedPaths: async (files) => electronDroppedPaths(files, pathForFile),
      fileUrl: (path) => fileUrl(path, dataDir, origin)
    }
  } else {
    const socket = webSocketApi({ url: webSocketUrl(location, webToken()) })
    api = {
      invoke: socket.invoke,
      on: socket.on,
      mode: 'web',
      droppedPaths: (files) => uploadFiles(files),
      fileUrl: (path) => fileUrl(path, dataDir)
    }
  }
  // Absolute paths from services are turned into data-directory URLs; learn where that is once.
  api
    .invoke('app.info', undefined)
    .then((info) => (dataDir = info.dataDir))
    .catch(() => {})
  instance = api
  return api
}
