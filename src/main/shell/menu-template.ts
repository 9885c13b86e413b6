// The native menu as plain data (no `electron` import): tested in Node, turned into a Menu by menu.ts.
import type { MenuCommand } from '../../shared/contract/shell'

export interface MenuItemSpec {
  label?: string
  role?: string
  type?: 'separator' | 'submenu'
  accelerator?: string
  /** A command sent to the renderer as the 'menu.command' event. */
  command?: MenuCommand
  submenu?: MenuItemSpec[]
}

const sep: MenuItemSpec = { type: 'separator' }

/** File/Edit/View/Window/Help, with the app's own commands; on macOS the app menu holds Preferences and Quit. */
export function menuTemplate(platform: NodeJS.Platform, appName: string, dev = false): MenuItemSpec[] {
  const mac = platform === 'darwin'
  const preferences: MenuItemSpec = {
    label: mac ? 'Settings…' : 'Preferences…',
    accelerator: 'CmdOrCtrl+,',
    command: 'preferences'
  }
  const file: MenuItemSpec = {
    label: 'File',
    submenu: [
      { label: 'Import Folder…', accelerator: 'CmdOrCtrl+O', command: 'import-folder' },
      { label: 'Export GIF…', accelerator: 'CmdOrCtrl+E', command: 'export-gif' },
      ...(mac ? [] : [sep, preferences, sep, { label: 'Quit', role: 'quit', accelerator: 'Ctrl+Q' }])
    ]
  }
  const view: MenuItemSpec = {
    label: 'View',
    submenu: [
      ...(dev ? [{ role: 'reload' }, { role: 'toggleDevTools' }, sep] : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      sep,
      { role: 'togglefullscreen' }
    ]
  }
  return [
    ...(mac
      ? [
          {
            label: appName,
            submenu: [
              { role: 'about' },
              sep,
              preferences,
              sep,
              { role: 'hide' },
              { role: 'hideOthers' },
              { role: 'unhide' },
              sep,
              { label: `Quit ${appName}`, role: 'quit', accelerator: 'Cmd+Q' }
            ]
          }
        ]
      : []),
    file,
    { label: 'Edit', role: 'editMenu' },
    view,
    { label: 'Window', role: 'windowMenu' }
  ]
}
