import { Notification, type BrowserWindow } from 'electron'
import type { EventHub } from '../rpc/events'
import { activityOf } from './activity'

/**
 * Taskbar/dock progress while training or importing, cleared when the work ends, and a notification when a run
 * finishes (useful when the window is in the background).
 */
export function followActivity(events: EventHub, window: () => BrowserWindow | null): () => void {
  let clearTimer: NodeJS.Timeout | undefined
  return events.subscribe((name, payload) => {
    const activity = activityOf(name, payload)
    const win = window()
    if (!activity || !win || win.isDestroyed()) return
    clearTimeout(clearTimer)
    if (activity.kind === 'progress') {
      // A full bar means the work just ended: clear it rather than leave a finished bar on the taskbar.
      win.setProgressBar(activity.fraction >= 1 ? -1 : activity.fraction)
      // Import progress has no explicit end event: clear the bar once updates stop.
      clearTimer = setTimeout(() => !win.isDestroyed() && win.setProgressBar(-1), 30_000)
      return
    }
    win.setProgressBar(-1)
    if (Notification.isSupported()) new Notification({ title: activity.title, body: activity.body }).show()
  })
}
