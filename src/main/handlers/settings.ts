import { getSettings, updateSettings } from '../services/settings'
import type { HandlerContext } from './context'

/** Settings calls; a change is pushed to every window so the theme and defaults apply at once. */
export const settingsHandlers = ({ studio, events }: HandlerContext) => ({
  'settings.get': () => getSettings(studio),
  'settings.update': (patch: unknown) => {
    const settings = updateSettings(studio, patch)
    events.emit('settings.changed', settings)
    return settings
  }
})
