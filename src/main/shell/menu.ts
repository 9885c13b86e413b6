import { Menu, type MenuItemConstructorOptions } from 'electron'
import type { MenuCommand } from '../../shared/contract/shell'
import { menuTemplate, type MenuItemSpec } from './menu-template'

const toElectron = (item: MenuItemSpec, send: (command: MenuCommand) => void): MenuItemConstructorOptions => {
  const { command, submenu, ...rest } = item
  return {
    ...(rest as MenuItemConstructorOptions),
    ...(command ? { click: () => send(command) } : {}),
    ...(submenu ? { submenu: submenu.map((i) => toElectron(i, send)) } : {})
  }
}

/** Installs the app menu; its commands reach the renderer as 'menu.command' events. */
export function installMenu(appName: string, dev: boolean, send: (command: MenuCommand) => void): void {
  const template = menuTemplate(process.platform, appName, dev).map((i) => toElectron(i, send))
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}
