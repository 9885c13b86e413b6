import type { Ref } from 'vue'
import { chooseGifPath, gifName } from '../gif-export'
import { useAppStore } from '../stores/app'
import { errorText } from '../studio'

/**
 * The "Export GIF…" action: asks where the file goes (see chooseGifPath), then has `write` make it there. A failure
 * to ask (no engine info yet in web mode, a dialog error) is shown where the export's own errors are.
 */
export function useGifExport(opts: {
  /** The save dialog's title. */
  title: string
  /** The file name's start, read at export time (it names the run or sweep). */
  prefix: () => string
  write: (path: string) => Promise<void>
  error: Ref<string | null>
}) {
  const app = useAppStore()
  return async function exportGif() {
    try {
      const path = await chooseGifPath(opts.title, gifName(opts.prefix()), app.info)
      if (path) await opts.write(path)
    } catch (err) {
      opts.error.value = errorText(err)
    }
  }
}
