import * as v from 'valibot'
import { call, event } from './define'

/** What the native menu (and its accelerators) asks the renderer to do. */
export const MENU_COMMANDS = ['import-folder', 'export-gif', 'preferences'] as const
export type MenuCommand = (typeof MENU_COMMANDS)[number]

/** A file-type filter for the save dialog, e.g. { name: 'GIF image', extensions: ['gif'] }. */
const filterSchema = v.object({
  name: v.pipe(v.string(), v.maxLength(100)),
  extensions: v.pipe(
    v.array(v.pipe(v.string(), v.regex(/^[A-Za-z0-9*]{1,10}$/, 'must be like "gif"'))),
    v.maxLength(20)
  )
})

const text = (max: number) => v.pipe(v.string(), v.maxLength(max))

export interface DialogResult {
  /** The chosen path, or null when the person cancelled. */
  path: string | null
}

export const shellCalls = {
  'dialog.openFolder': call<DialogResult>()(
    v.optional(v.strictObject({ title: v.optional(text(200)), defaultPath: v.optional(text(4096)) })),
    'Ask for a folder with the OS dialog. In web mode: an "unavailable" error (type a path instead).'
  ),
  'dialog.saveFile': call<DialogResult>()(
    v.optional(
      v.strictObject({
        title: v.optional(text(200)),
        defaultPath: v.optional(text(4096)),
        filters: v.optional(v.pipe(v.array(filterSchema), v.maxLength(20)))
      })
    ),
    'Ask where to save a file with the OS dialog. In web mode: an "unavailable" error (the file is downloaded).'
  ),
  'shell.showItem': call<void>()(
    v.strictObject({ path: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)) }),
    'Reveal a file or folder under the data directory in the OS file manager. Unavailable in web mode.'
  )
}

export const shellEvents = {
  'menu.command': event<{ command: MenuCommand }>('A native menu item or its accelerator was used.')
}
