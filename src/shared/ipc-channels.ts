import type { CallResult } from './contract/define'

/** The two Electron IPC channels: every call goes through one, every pushed event through the other. */
export const CALL_CHANNEL = 'aestudio:call'
export const EVENT_CHANNEL = 'aestudio:event'

/** Web mode's wire format and paths, shared by the server (src/main/web) and the renderer's socket transport. */
export const WS_PATH = '/rpc'
/** Files under the data directory (thumbnails, previews, GIFs), the same path in the app:// scheme. */
export const FILES_PATH = '/files/'
/** Where dropped files are uploaded in web mode: POST bytes, `?batch=<uuid>&name=<relative path>`. */
export const UPLOAD_PATH = '/upload'
export const TOKEN_COOKIE = 'aestudio_token'

export type ClientMessage = { id: number; name: string; input: unknown }
export type ServerMessage = { id: number; result: CallResult<unknown> } | { event: string; payload: unknown }

export interface UploadResult {
  /** The server-side folder holding this batch's files: pass it to datasets.import. */
  folder: string
  file: string
  bytes: number
}
