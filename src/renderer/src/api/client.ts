import type {
  CallError,
  CallInput,
  CallName,
  CallOutput,
  CallResult,
  StudioApi
} from '../../../shared/contract/index'

/** A failed call, carrying the contract's error code so views can react (e.g. show field errors). */
export class ApiError extends Error {
  readonly code: CallError['code']
  readonly issues: string[]
  constructor(error: CallError) {
    super(error.message)
    this.name = 'ApiError'
    this.code = error.code
    this.issues = error.issues ?? []
  }
}

export const unwrap = <O>(result: CallResult<O>): O => {
  if (result.ok) return result.value
  throw new ApiError(result.error)
}

/** The Electron transport: `window.api` from the preload. */
export function electronApi(): StudioApi | null {
  const bridge = window.api
  if (!bridge) return null
  return {
    invoke: async <K extends CallName>(name: K, input: CallInput<K>) =>
      unwrap(await bridge.invoke(name, input)) as CallOutput<K>,
    on: (name, listener) => bridge.on(name, listener)
  }
}
