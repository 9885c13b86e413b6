/** Small formatting helpers shared by the views. */

export function duration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—'
  if (seconds < 1) return '< 1 s'
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${s % 60} s`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}

export const rate = (perSecond: number | null | undefined, unit = 'images/s'): string =>
  perSecond == null || !Number.isFinite(perSecond)
    ? '—'
    : `${perSecond.toFixed(perSecond < 10 ? 1 : 0)} ${unit}`

export const loss = (value: number | null | undefined): string =>
  value == null || !Number.isFinite(value) ? '—' : value < 0.001 ? value.toExponential(2) : value.toFixed(4)

export const percent = (done: number, total: number): number =>
  total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0

/** Seconds between two ISO timestamps; the second defaults to now for a run still going. */
export function elapsed(from: string | null, to: string | null): number | null {
  if (!from) return null
  const end = to ? Date.parse(to) : Date.now()
  return (end - Date.parse(from)) / 1000
}
