/** The two Electron IPC channels: every call goes through one, every pushed event through the other. */
export const CALL_CHANNEL = 'aestudio:call'
export const EVENT_CHANNEL = 'aestudio:event'
