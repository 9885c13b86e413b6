// Which pushed events mean "work in progress" or "a run ended", as plain data (no `electron` import), so the
// taskbar/dock progress and the end-of-run notification are unit-testable.

export type Activity =
  { kind: 'progress'; fraction: number } | { kind: 'finished'; title: string; body: string } | null

const FINAL: Record<string, string> = {
  done: 'finished training',
  stopped: 'was stopped',
  failed: 'failed',
  interrupted: 'was interrupted'
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null)

/**
 * Training events carry `epoch`/`epochs` (and `batch`/`batches` within an epoch); a run's end carries `runId`
 * and a final `status`. Import progress carries `done`/`total`. Anything else is not shown on the taskbar.
 */
export function activityOf(name: string, payload: unknown): Activity {
  if (typeof payload !== 'object' || payload === null) return null
  const p = payload as Record<string, unknown>
  if (name.startsWith('training.') || name.startsWith('runs.')) {
    const status = typeof p.status === 'string' ? p.status : null
    if (status && status in FINAL && p.runId !== undefined) {
      const detail = typeof p.error === 'string' && p.error ? `: ${p.error}` : ''
      return {
        kind: 'finished',
        title: 'Autoencoder Studio',
        body: `Run ${String(p.runId)} ${FINAL[status]}${detail}`
      }
    }
    const epoch = num(p.epoch)
    const epochs = num(p.epochs)
    if (epoch !== null && epochs) {
      const batch = num(p.batch)
      const batches = num(p.batches)
      const within = batch !== null && batches ? batch / batches : 1
      // Batch events count the epoch in progress; epoch events count it as done.
      const done = batch !== null && batches ? Math.max(0, epoch - 1) + within : epoch
      return { kind: 'progress', fraction: Math.min(1, Math.max(0, done / epochs)) }
    }
    return null
  }
  if (name.endsWith('.progress')) {
    const done = num(p.done)
    const total = num(p.total)
    if (done !== null && total) return { kind: 'progress', fraction: Math.min(1, done / total) }
  }
  return null
}
