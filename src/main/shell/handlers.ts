// No `electron` import here: these are the shell calls as the web server and tests see them. The desktop app
// replaces them with the native versions (src/main/shell/native-handlers.ts).
import type { Handler } from '../rpc/dispatch'
import { StudioError } from '../../shared/errors'

export type ShellCallName = 'dialog.openFolder' | 'dialog.saveFile' | 'shell.showItem'

const unavailable = (what: string) => () => {
  throw new StudioError('unavailable', `${what} is only available in the desktop app.`)
}

/** Without a desktop there are no OS dialogs: the UI falls back to typing a path or downloading the file. */
export const shellHandlers = (): { [K in ShellCallName]: Handler<K> } => ({
  'dialog.openFolder': unavailable('The folder dialog'),
  'dialog.saveFile': unavailable('The save dialog'),
  'shell.showItem': unavailable('Showing files in the file manager')
})
