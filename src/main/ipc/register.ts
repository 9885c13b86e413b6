import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron'
import type { CallResult } from '../../shared/contract/index'
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../shared/ipc-channels'
import { dispatch, type Handlers } from '../rpc/dispatch'
import type { EventHub } from '../rpc/events'
import { isTrustedUrl } from '../shell/policy'

const REFUSED: CallResult<never> = {
  ok: false,
  error: { code: 'validation', message: 'Refused: the caller is not the app.' }
}

/** Only frames showing our own renderer may call in: app://studio, or the dev server in development. */
export const trustedSender = (event: Pick<IpcMainInvokeEvent, 'senderFrame'>): boolean =>
  isTrustedUrl(event.senderFrame?.url, process.env.ELECTRON_RENDERER_URL)

/**
 * One generic handler carries every contract call: the sender is checked, then `dispatch` (shared with the web
 * server) checks the name, validates the payload with the contract's schema and turns failures into typed errors.
 */
export function registerIpc(handlers: Handlers, events: EventHub): () => void {
  ipcMain.handle(CALL_CHANNEL, (event, name: unknown, input: unknown) =>
    trustedSender(event) ? dispatch(handlers, name, input) : REFUSED
  )
  const unsubscribe = events.subscribe((name, payload) => {
    for (const win of BrowserWindow.getAllWindows()) {
      const contents = win.webContents
      if (!contents.isDestroyed() && isTrustedUrl(contents.getURL(), process.env.ELECTRON_RENDERER_URL))
        contents.send(EVENT_CHANNEL, name, payload)
    }
  })
  return () => {
    ipcMain.removeHandler(CALL_CHANNEL)
    unsubscribe()
  }
}
