import { openStudio, type Studio } from '../services/studio'

/** Opens the data directory for one command and always closes the store, even when the command throws. */
export function withStudio<T>(fn: (studio: Studio) => T): T {
  const studio = openStudio()
  let async = false
  try {
    const result = fn(studio)
    if (result instanceof Promise) {
      async = true
      return result.finally(() => studio.close()) as T
    }
    return result
  } finally {
    if (!async) studio.close()
  }
}
