import { availableParallelism } from 'node:os'
import type { JobControl } from '../../shared/control'
import { StudioError } from '../../shared/errors'

/**
 * Images decoded at once. sharp runs each decode on a libuv thread with one libvips thread (see
 * `sharp.concurrency(1)` in the importer), so one decode in flight per core, plus one to hide file reads,
 * keeps every core busy without the memory of many large images at once.
 */
export const defaultPoolWidth = (): number => availableParallelism() + 1

export const cancelled = () =>
  new StudioError('cancelled', 'The import was cancelled; the dataset is unchanged.')

/**
 * Runs `fn` over `items` with at most `width` in flight. Honours pause (waits at the next item) and stop
 * (starts no more items, then throws a 'cancelled' StudioError once those in flight have finished).
 */
export async function runPool<T>(
  items: readonly T[],
  width: number,
  fn: (item: T, index: number) => Promise<void>,
  control?: JobControl
): Promise<void> {
  let next = 0
  let stopped = false
  const worker = async () => {
    for (;;) {
      await control?.checkpoint()
      if (control?.stopped) {
        stopped = true
        return
      }
      const i = next++
      if (i >= items.length) return
      await fn(items[i], i)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, items.length)) }, worker))
  if (stopped) throw cancelled()
}
