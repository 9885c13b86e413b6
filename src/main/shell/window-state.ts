import { screen, type BrowserWindow } from 'electron'
import type { SettingsRepo } from '../store/repositories/settings'
import type { WindowBounds } from './policy'

const KEY = 'window.bounds'

/** The saved bounds, if they still land on a connected display (a monitor may have been unplugged). */
export function loadBounds(settings: SettingsRepo): WindowBounds | null {
  const saved = settings.get<WindowBounds | null>(KEY, null)
  if (!saved || typeof saved.width !== 'number' || typeof saved.height !== 'number') return null
  if (saved.x === undefined || saved.y === undefined) return saved
  const area = screen.getDisplayMatching({
    x: saved.x,
    y: saved.y,
    width: saved.width,
    height: saved.height
  }).workArea
  const visible =
    saved.x < area.x + area.width &&
    saved.x + saved.width > area.x &&
    saved.y < area.y + area.height &&
    saved.y >= area.y - 10
  return visible ? saved : { width: saved.width, height: saved.height, maximized: saved.maximized }
}

/** Saves bounds when the window moves or resizes (debounced) and when it closes. */
export function rememberBounds(win: BrowserWindow, settings: SettingsRepo): void {
  let timer: NodeJS.Timeout | undefined
  const save = () => {
    if (win.isDestroyed() || win.isMinimized()) return
    const b = win.getNormalBounds()
    settings.set(KEY, { ...b, maximized: win.isMaximized() } satisfies WindowBounds)
  }
  const later = () => {
    clearTimeout(timer)
    timer = setTimeout(save, 500)
  }
  win.on('resize', later)
  win.on('move', later)
  win.on('close', () => {
    clearTimeout(timer)
    save()
  })
}
