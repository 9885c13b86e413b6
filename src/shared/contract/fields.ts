import * as v from 'valibot'

/** Field schemas the contract files share, with messages a person can act on. */
export const int = (min: number, max: number) =>
  v.pipe(
    v.number('must be a number'),
    v.integer('must be a whole number'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`)
  )

/** A row id: a positive whole number. */
export const id = int(1, Number.MAX_SAFE_INTEGER)

/** A file or folder path. */
export const path = v.pipe(v.string(), v.minLength(1, 'must not be empty'))
