import { nativeTheme } from 'electron'
import type { EventHub } from '../rpc/events'
import type { Theme } from '../../shared/contract/settings'

/** Window background before the page paints, so a dark desktop never flashes white. */
export const backgroundColor = (): string => (nativeTheme.shouldUseDarkColors ? '#1b1d22' : '#f6f7f9')

/**
 * Light/dark follows the OS unless the person chose one in Settings; the renderer just uses
 * `prefers-color-scheme`, which follows `nativeTheme.themeSource`.
 */
export function followTheme(initial: Theme, events: EventHub): () => void {
  nativeTheme.themeSource = initial
  return events.subscribe((name, payload) => {
    if (name === 'settings.changed') nativeTheme.themeSource = (payload as { theme: Theme }).theme
  })
}
