import type { Api } from './api/index'
import { ApiError } from './api/client'
import { filesFromDataTransfer } from './api/files'

/**
 * The one connection the stores use: set once at start-up (createApi() in the app, a fake in tests), so stores
 * never pick a transport themselves.
 */
let current: Api | null = null

export function provideApi(api: Api): void {
  current = api
}

export function api(): Api {
  if (!current) throw new ApiError({ code: 'unavailable', message: 'Not connected to the studio engine.' })
  return current
}

/** An error in the words the person should read. Validation issues already sit in the message. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}

/**
 * Paths for what was dropped: real paths in the desktop app; in web mode the files (folders walked) are uploaded
 * and the server folder comes back. Must be called inside the drop event (the DataTransfer expires after it).
 */
export function droppedPaths(data: DataTransfer): Promise<string[]> {
  const a = api()
  if (a.mode === 'desktop') return a.droppedPaths(data.files)
  return filesFromDataTransfer(data).then((files) => a.droppedPaths(files))
}
