import * as v from 'valibot'
import { StudioError } from './errors'

/** Each issue as "field.path: message" (just the message when it is about the whole value). */
export const describeIssues = (issues: readonly v.BaseIssue<unknown>[]): string[] =>
  issues.map((i) => {
    const path = i.path?.map((p) => String(p.key)).join('.')
    return path ? `${path}: ${i.message}` : i.message
  })

/** `schema`'s output for `input`, or a validation StudioError "<what>: field: why; …" naming every bad field. */
export function parseOrThrow<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  what: string
): v.InferOutput<S> {
  const parsed = v.safeParse(schema, input)
  if (parsed.success) return parsed.output
  throw new StudioError('validation', `${what}: ${describeIssues(parsed.issues).join('; ')}`)
}
