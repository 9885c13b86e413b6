import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron'
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../shared/ipc-channels'
import { dispatch, type Handlers } from '../rpc/dispatch'
import type { EventHub } from '../rpc/events'

/** Only frames showing our own renderer may call in: the dev server in development, our files otherwise. */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url
  if (!url) return false
  const dev = process.env.ELECTRON_RENDERER_URL
  if (dev) return new URL(url).origin === new URL(dev).origin
  return url.startsWith('file://') && url.includes('/renderer/index.html')
}

/** One generic handler carries every contract call; the contract decides what is valid. */
export function registerIpc(handlers: Handlers, events: EventHub): () => void {
  ipcMain.handle(CALL_CHANNEL, (event, name: unknown, input: unknown) => {
    if (!trustedSender(event)) {
      return { ok: false, error: { code: 'validation', message: 'Refused: the caller is not the app.' } }
    }
    return dispatch(handlers, name, input)
  })
  const unsubscribe = events.subscribe((name, payload) => {
    for (const win of BrowserWindow.getAllWindows()) win.webContents.send(EVENT_CHANNEL, name, payload)
  })
  return () => {
    ipcMain.removeHandler(CALL_CHANNEL)
    unsubscribe()
  }
}
