import { parseArgs, type ParseArgsConfig } from 'node:util'
import { StudioError } from '../../shared/errors'

/** Exit codes that mean something to scripts. */
export const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3, interrupted: 130 } as const

/** A failure to report in plain words (no stack trace) with a specific exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed
  ) {
    super(message)
    this.name = 'CliError'
  }
}

export interface CliIO {
  out(text: string): void
  err(text: string): void
  /** Whether stderr is a terminal: progress bars only then. */
  readonly interactive: boolean
}

export interface Command {
  name: string
  summary: string
  usage: string
  run(args: string[], io: CliIO): Promise<number | void>
}

export type Options = NonNullable<ParseArgsConfig['options']>

/** `util.parseArgs` with strict checking and errors worded for a person; `--json` is always accepted. */
export function parseCommandArgs<O extends Options>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({
      args,
      options: {
        ...options,
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' }
      },
      allowPositionals: true,
      strict: true
    })
  } catch (err) {
    throw new CliError(
      `${(err as Error).message.replace(/\. To specify.*$/s, '.')}\nUsage: ${usage}`,
      EXIT.usage
    )
  }
}

/** The flags `parseCommandArgs` returns for `options`. */
export type OptionValues<O extends Options> = ReturnType<typeof parseCommandArgs<O>>['values']

/** Parses a numeric option, rejecting junk like "12abc" that Number() or parseInt would half-accept. */
export function numberOption(name: string, raw: string | undefined, fallback?: number): number | undefined {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(n))
    throw new CliError(`--${name} must be a number, got "${raw}"`, EXIT.usage)
  return n
}

export const toCliError = (err: unknown): CliError => {
  if (err instanceof CliError) return err
  if (err instanceof StudioError)
    return new CliError(err.message, err.code === 'not_found' ? EXIT.notFound : EXIT.failed)
  return new CliError(err instanceof Error ? err.message : String(err))
}
