import { resumeRun } from '../../services/training'
import { numberOption, type Command } from '../command'
import { withStudio } from '../with-studio'
import { threadsOption } from '../train-flags'
import { followTraining } from './train'
import { parseRunArgs } from './run-command'

const usage = 'aestudio resume <runId> [--epochs TOTAL] [--backend NAME] [--threads N] [--json]'

export const resume: Command = {
  name: 'resume',
  summary:
    'Continue a stopped or interrupted run from its last checkpoint (optionally to more epochs, or on ' +
    'another backend)',
  usage,
  async run(args, io) {
    const { values, runId } = parseRunArgs(
      args,
      { epochs: { type: 'string' }, backend: { type: 'string' }, threads: { type: 'string' } },
      usage
    )
    const epochs = numberOption('epochs', values.epochs)
    return withStudio((studio) =>
      followTraining(
        io,
        values.json,
        (host) => resumeRun(studio, runId, { epochs, backend: values.backend }, host),
        threadsOption(values.threads)
      )
    )
  }
}
