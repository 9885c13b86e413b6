import { contextBridge, ipcRenderer, webUtils } from 'electron'
import { CALL_CHANNEL, EVENT_CHANNEL } from '../shared/ipc-channels'
import type { PreloadApi } from './index.d'

// The whole bridge: calls, events, and the real path of a dropped file. Names and payloads are checked in main.
const api: PreloadApi = {
  invoke: (name, input) => ipcRenderer.invoke(CALL_CHANNEL, name, input),
  on(name, listener) {
    const relay = (_e: Electron.IpcRendererEvent, event: string, payload: unknown) => {
      if (event === name) listener(payload as never)
    }
    ipcRenderer.on(EVENT_CHANNEL, relay)
    return () => void ipcRenderer.removeListener(EVENT_CHANNEL, relay)
  },
  pathForFile: (file) => webUtils.getPathForFile(file)
}

contextBridge.exposeInMainWorld('api', api)
