/** A promise the test resolves by hand, to hold a call "in flight". */
export function deferred<T>() {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

/** Lets pending promise callbacks and timers of 0 ms run. */
export const flush = () => new Promise((r) => setTimeout(r, 0))

/** A handler whose answers the test gives one by one: each call waits on its own deferred, in call order. */
export function gated<T>() {
  const gates: ReturnType<typeof deferred<T>>[] = []
  const handler = () => {
    const d = deferred<T>()
    gates.push(d)
    return d.promise
  }
  return { gates, handler }
}
