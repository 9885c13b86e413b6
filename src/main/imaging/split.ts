import { sha256 } from '../util/hash'

/**
 * Picks the validation images: the `round(n × fraction)` images (at least one when there are two or more and
 * fraction > 0) whose hash of (seed, content) is smallest. Seeded and deterministic, and stable when images
 * are added: an image keeps its side unless it sits at the boundary.
 */
export function chooseValidation(
  contentHashes: readonly string[],
  seed: number,
  fraction: number
): Set<string> {
  const n = contentHashes.length
  if (fraction <= 0 || n < 2) return new Set()
  const count = Math.min(n - 1, Math.max(1, Math.round(n * fraction)))
  const ranked = contentHashes
    .map((h) => ({ h, key: sha256(`${seed}:${h}`) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  return new Set(ranked.slice(0, count).map((r) => r.h))
}
