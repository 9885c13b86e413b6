import * as v from 'valibot'
import {
  calls,
  isCallName,
  type CallError,
  type CallName,
  type CallOutput,
  type CallParsed,
  type CallResult
} from '../../shared/contract/index'
import { StudioError } from '../../shared/errors'
import { describeIssues } from '../../shared/validation'

export type Handler<K extends CallName> = (input: CallParsed<K>) => Promise<CallOutput<K>> | CallOutput<K>
export type Handlers = { [K in CallName]: Handler<K> }

export function toCallError(err: unknown): CallError {
  if (err instanceof StudioError) return { code: err.code, message: err.message }
  if (err instanceof v.ValiError) {
    const issues = describeIssues(err.issues)
    return { code: 'validation', message: `Invalid input: ${issues.join('; ')}`, issues }
  }
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'failed', message }
}

/**
 * The one entry point every transport uses: checks the call name, validates the payload with the contract's
 * schema, runs the handler, and turns any failure into a typed error instead of a thrown exception.
 */
export async function dispatch(
  handlers: Partial<Handlers>,
  name: unknown,
  input: unknown
): Promise<CallResult<unknown>> {
  if (!isCallName(name)) {
    return { ok: false, error: { code: 'validation', message: `Unknown call: ${String(name).slice(0, 80)}` } }
  }
  const parsed = v.safeParse(calls[name].input, input)
  if (!parsed.success) {
    const issues = describeIssues(parsed.issues)
    return {
      ok: false,
      error: { code: 'validation', message: `Invalid input for ${name}: ${issues.join('; ')}`, issues }
    }
  }
  const handler = handlers[name] as ((input: unknown) => unknown) | undefined
  if (!handler) return { ok: false, error: { code: 'unavailable', message: `${name} is not served here` } }
  try {
    return { ok: true, value: await handler(parsed.output) }
  } catch (err) {
    return { ok: false, error: toCallError(err) }
  }
}
