import * as v from 'valibot'
import { StudioError } from './errors'

/** Each issue as "field.path: message" (just the message when it is about the whole value). */
export const describeIssues = (issues: readonly v.BaseIssue<unknown>[]): string[] =>
  issues.map((i) => {
    const path = i.path?.map((p) => String(p.key)).join('.')
    return path ? `${path}: ${i.message}` : i.message
  })

/** `schema`'s output for `input`, or throws what `fail` makes of the issues (each caller words them its way). */
export function parseOr<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  fail: (issues: readonly v.BaseIssue<unknown>[]) => Error
): v.InferOutput<S> {
  const parsed = v.safeParse(schema, input)
  if (parsed.success) return parsed.output
  throw fail(parsed.issues)
}

/** `schema`'s output for `input`, or a validation StudioError "<what>: field: why; …" naming every bad field. */
export const parseOrThrow = <S extends v.GenericSchema>(schema: S, input: unknown, what: string) =>
  parseOr(
    schema,
    input,
    (issues) => new StudioError('validation', `${what}: ${describeIssues(issues).join('; ')}`)
  )
