import type { AppInfo } from '../../shared/contract/index'
import { api } from './studio'

/** A timestamped file name for an export, e.g. morph-run3-2026-11-21T22-06-32-119Z.gif. */
export const gifName = (prefix: string) => `${prefix}-${new Date().toISOString().replace(/[:.]/g, '-')}.gif`

/**
 * Where an exported GIF goes. Desktop: the user picks with the OS save dialog (null when cancelled). Web mode has no
 * dialog: the server writes into the data directory's exports/ folder and the page links to the file.
 */
export async function chooseGifPath(
  title: string,
  name: string,
  info: AppInfo | null
): Promise<string | null> {
  if (api().mode !== 'desktop') {
    if (!info) throw new Error('Not connected to the studio engine yet; try again in a moment.')
    return [info.dataDir, 'exports', name].join('/')
  }
  const res = await api().invoke('dialog.saveFile', {
    title,
    defaultPath: name,
    filters: [{ name: 'GIF image', extensions: ['gif'] }]
  })
  return res.path ?? null
}

/** A link to a written file, or null when it lies outside the data directory (the path is shown instead). */
export function fileLink(file: string): string | null {
  try {
    return api().fileUrl(file)
  } catch {
    return null
  }
}
