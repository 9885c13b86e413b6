import type { ErrorCode } from './contract/define'

/** An error meant for the user: its message is shown as is, its code tells the UI how to treat it. */
export class StudioError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'StudioError'
  }
}

export const notFound = (what: string) => new StudioError('not_found', `${what} was not found.`)
