import type * as v from 'valibot'
import type { Studio } from '../../services/studio'
import { parseCommandArgs, type CliIO, type Command, type Options, type OptionValues } from '../command'
import { withStudio } from '../with-studio'
import { validated } from './exports-args'
import { parseRunId } from './train'

/** `parseCommandArgs` for a command on one run: the first positional is its id, `rest` the others. */
export function parseRunArgs<O extends Options>(args: string[], options: O, usage: string) {
  const { values, positionals } = parseCommandArgs(args, options, usage)
  const [rawId, ...rest] = positionals
  return { values, runId: parseRunId(rawId, usage), rest }
}

/** What sets one `aestudio <name> <runId> …` command apart from the others; `runCommand` does the rest. */
export interface RunCommandSpec<O extends Options, S extends v.GenericSchema, R> {
  name: string
  summary: string
  usage: string
  options: O
  /** The schema the app's call checks, so the CLI refuses the same values (issues name the flag). */
  schema: S
  /** The schema's input less `runId`, from the flags and the positionals after the run id. */
  input(values: OptionValues<O>, rest: string[]): Record<string, unknown>
  /** The service call, with the data directory open. */
  call(studio: Studio, input: v.InferOutput<S>, io: CliIO): Promise<R>
  /** What `--json` prints: the result itself unless given. */
  json?(r: R): unknown
  /** The lines printed without `--json`. */
  text(r: R, input: v.InferOutput<S>): string[]
}

/** A command that checks its flags, calls one service on a run, and prints the result as JSON or text. */
export function runCommand<O extends Options, S extends v.GenericSchema, R>(
  spec: RunCommandSpec<O, S, R>
): Command {
  const { name, summary, usage } = spec
  return {
    name,
    summary,
    usage,
    async run(args, io) {
      const { values, runId, rest } = parseRunArgs(args, spec.options, usage)
      const input = validated(spec.schema, { runId, ...spec.input(values, rest) }, usage)
      const r = await withStudio((studio) => spec.call(studio, input, io))
      // parseCommandArgs adds --json to every command (its type is lost while O is generic).
      if ((values as { json?: boolean }).json) return io.out(JSON.stringify(spec.json ? spec.json(r) : r))
      for (const line of spec.text(r, input)) io.out(line)
    }
  }
}
