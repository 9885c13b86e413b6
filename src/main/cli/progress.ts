import type { CliIO } from './command'

export interface Progress {
  /** Reports `done` of `total` units; `extra` is shown after the numbers (a file name, a loss). */
  update(done: number, total: number, extra?: string): void
  /** Clears the bar and, on a terminal, prints `message` on its own line. */
  done(message?: string): void
}

/** Formats seconds as "42s", "3m05s" or "1h02m" for an ETA. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

const WIDTH = 24
const REDRAW_MS = 100

/**
 * A one-line progress bar on stderr (done/total, rate, ETA), redrawn at most every 100 ms. Only draws when
 * `io.interactive` (stderr is a terminal), so scripts and `--json` output never see it.
 */
export function createProgress(
  io: CliIO,
  label: string,
  { now = Date.now, stream = process.stderr }: { now?: () => number; stream?: NodeJS.WriteStream } = {}
): Progress {
  const started = now()
  let last = -Infinity
  let drawn = false
  const write = (text: string) => void stream.write(text)
  return {
    update(done, total, extra) {
      if (!io.interactive) return
      const t = now()
      if (t - last < REDRAW_MS && done < total) return
      last = t
      const frac = total > 0 ? Math.min(1, done / total) : 0
      const filled = Math.round(frac * WIDTH)
      const elapsed = (t - started) / 1000
      const rate = elapsed > 0 ? done / elapsed : 0
      const eta = rate > 0 ? formatDuration((total - done) / rate) : '?'
      const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled)
      const line = `${label} ${bar} ${done}/${total}  ${rate.toFixed(1)}/s  ETA ${eta}${extra ? `  ${extra}` : ''}`
      const cols = stream.columns || 100
      write(`\r${line.slice(0, cols - 1)}\x1b[K`)
      drawn = true
    },
    done(message) {
      if (drawn) write('\r\x1b[K')
      drawn = false
      if (message && io.interactive) io.err(message)
    }
  }
}
