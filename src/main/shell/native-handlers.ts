import { dialog, shell, type BrowserWindow } from 'electron'
import type { Handler } from '../rpc/dispatch'
import { StudioError } from '../../shared/errors'
import { isInside } from '../web/paths'
import type { ShellCallName } from './handlers'

/** The desktop versions of the shell calls: OS dialogs attached to the window, reveal in the file manager. */
export function nativeShellHandlers(
  window: () => BrowserWindow | null,
  home: string
): { [K in ShellCallName]: Handler<K> } {
  const parent = () => {
    const win = window()
    if (!win || win.isDestroyed()) throw new StudioError('unavailable', 'The window is closed.')
    return win
  }
  return {
    'dialog.openFolder': async (input) => {
      const r = await dialog.showOpenDialog(parent(), {
        title: input?.title ?? 'Choose a folder of images',
        defaultPath: input?.defaultPath,
        properties: ['openDirectory']
      })
      return { path: r.canceled ? null : (r.filePaths[0] ?? null) }
    },
    'dialog.saveFile': async (input) => {
      const r = await dialog.showSaveDialog(parent(), {
        title: input?.title,
        defaultPath: input?.defaultPath,
        filters: input?.filters,
        properties: ['createDirectory', 'showOverwriteConfirmation']
      })
      return { path: r.canceled ? null : (r.filePath ?? null) }
    },
    'shell.showItem': ({ path }) => {
      if (!isInside(home, path))
        throw new StudioError('validation', 'Only files in the data directory can be shown.')
      shell.showItemInFolder(path)
    }
  }
}
