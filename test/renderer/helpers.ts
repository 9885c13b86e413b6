/** A promise the test resolves by hand, to hold a call "in flight". */
export function deferred<T>() {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

/** Lets pending promise callbacks and timers of 0 ms run. */
export const flush = () => new Promise((r) => setTimeout(r, 0))
