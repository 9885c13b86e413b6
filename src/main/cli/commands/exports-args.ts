import type * as v from 'valibot'
import type { ExportProgress } from '../../../shared/contract/viewers'
import { parseOr } from '../../../shared/validation'
import { CliError, EXIT, type CliIO } from '../command'
import { createProgress } from '../progress'

/** The export services, loaded when a command runs so `aestudio --help` never loads TensorFlow.js. */
export const exportsService = () => import('../../services/viewers')

/**
 * Checks options against the same schema the app's calls use, so both refuse the same values; issues name the
 * flag ("--frames: must be at most 600").
 */
export const validated = <S extends v.GenericSchema>(schema: S, input: unknown, usage: string) =>
  parseOr(schema, input, (issues) => {
    const words = issues.map((i) => {
      const key = i.path?.[0]?.key
      return typeof key === 'string' ? `--${key}: ${i.message}` : i.message
    })
    return new CliError(`${words.join('; ')}\nUsage: ${usage}`, EXIT.usage)
  })

/** `--out` is required by the commands that write a file. */
export function requireOut(out: string | undefined, example: string, usage: string): string {
  if (!out) throw new CliError(`Say where to write with --out ${example}.\nUsage: ${usage}`, EXIT.usage)
  return out
}

/** A terminal progress bar fed by export progress events. */
export function exportProgressBar(io: CliIO, label: string) {
  const bar = createProgress(io, label)
  return { onProgress: (p: ExportProgress) => bar.update(p.done, p.total), done: () => bar.done() }
}
