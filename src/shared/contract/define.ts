import type * as v from 'valibot'

/**
 * One invoke-style call: a runtime schema for what the renderer may send, and (as a type only) what comes back.
 * Main is trusted, so outputs are typed but not validated; inputs cross a trust boundary and always are.
 */
export interface CallSpec<I extends v.GenericSchema = v.GenericSchema, O = unknown> {
  readonly input: I
  readonly doc: string
  /** Phantom field carrying the output type; never set at run time. */
  readonly __output?: O
}

/** `call<Output>()(inputSchema, doc)`: the output type is named first so the schema's type is inferred. */
export const call =
  <O>() =>
  <I extends v.GenericSchema>(input: I, doc: string): CallSpec<I, O> => ({ input, doc })

/**
 * `jobCall<Output>()(inputSchema, doc)`: a call that runs in a job process, never on the owner's event loop —
 * those that decode, encode or fit over many images. The owner only relays its events and result.
 */
export const jobCall =
  <O>() =>
  <I extends v.GenericSchema>(input: I, doc: string): CallSpec<I, O> & { readonly job: true } => ({
    input,
    doc,
    job: true
  })

/** One pushed event; `__payload` carries its type only. */
export interface EventSpec<P = unknown> {
  readonly doc: string
  readonly __payload?: P
}

export const event = <P>(doc: string): EventSpec<P> => ({ doc })

/** How every failed call comes back, whatever the transport. */
export const ERROR_CODES = [
  'validation',
  'not_found',
  'conflict',
  'cancelled',
  'unavailable',
  'failed'
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]
export const isErrorCode = (code: unknown): code is ErrorCode => ERROR_CODES.includes(code as ErrorCode)

export interface CallError {
  code: ErrorCode
  message: string
  /** For validation errors: which field and why, e.g. ["latent: must be at least 2"]. */
  issues?: string[]
}

export type CallResult<O> = { ok: true; value: O } | { ok: false; error: CallError }
