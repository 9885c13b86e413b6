import type { Run } from '../../../shared/contract/domain'
import type { TrainingBatch, TrainingEpoch } from '../../../shared/contract/training'
import { getSettings } from '../../services/settings'
import { InProcessTrainingHost, startTraining, type Started } from '../../services/training'
import { CliError, EXIT, parseCommandArgs, type CliIO, type Command } from '../command'
import { createProgress, formatDuration } from '../progress'
import { withStudio } from '../with-studio'
import { normalizeAugmentArgs } from '../augment-flag'
import { configFromFlags, requireBackend, resolveDataset, threadsOption, TRAIN_FLAGS } from '../train-flags'

const usage =
  'aestudio train <folder|datasetId> [--model conv] [--upsample resize|transpose] [--latent 32] [--size 64]\n' +
  '       [--channels 3] [--epochs 20] [--batch 32] [--lr 0.001] [--beta 1] [--noise 0.2]\n' +
  '       [--noise-kind gaussian|saltpepper|mask|marks] [--lambda 0.001] [--clip 0] [--loss mse|bce] [--val 0.1]\n' +
  '       [--seed 1] [--backend auto] [--threads N] [--augment [flip,shift,rotate,color] | --no-augment]\n' +
  '       [--lr-schedule constant|cosine|plateau] [--weight-decay 0] [--early-stop PATIENCE] [--json]'

/** A run id given on the command line: a positive integer, or a usage error. */
export function parseRunId(raw: string | undefined, commandUsage: string): number {
  if (raw === undefined) throw new CliError(`Give a run id.\nUsage: ${commandUsage}`, EXIT.usage)
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw new CliError(`A run id is a positive whole number, got "${raw}".`, EXIT.usage)
  return Number(raw)
}

const fmt = (n: number | null) => (n === null ? '-' : n.toPrecision(4))

/**
 * Follows a run training in this process: a progress bar and one line per epoch on a terminal, or JSON lines
 * (`{"event":"epoch",...}` then `{"event":"done",...}`) with --json. Ctrl-C stops after the current batch (the
 * last checkpoint stays good); a second Ctrl-C quits at once. Exit code: 0 done, 130 stopped, 1 failed.
 */
export async function followTraining(
  io: CliIO,
  json: boolean,
  start: (host: InProcessTrainingHost) => Started,
  threads?: number
): Promise<number> {
  // One bar per epoch, so its rate and ETA are the epoch's own.
  let progress = createProgress(io, 'Training')
  let barEpoch = 0
  const host = new InProcessTrainingHost((name, payload) => {
    if (name === 'training.batch') {
      const b = payload as TrainingBatch
      if (b.epoch !== barEpoch) {
        progress.done()
        progress = createProgress(io, `Epoch ${b.epoch}/${b.epochs}`)
        barEpoch = b.epoch
      }
      progress.update(b.batch, b.batches, `loss ${fmt(b.loss)}`)
    } else if (name === 'training.epoch') {
      const e = payload as TrainingEpoch
      progress.done()
      if (json) io.out(JSON.stringify({ event: 'epoch', ...e }))
      else
        io.err(
          `epoch ${e.epoch}/${e.epochs}  loss ${fmt(e.loss)}  val ${fmt(e.valLoss)}` +
            `${e.kl === null ? '' : `  kl ${fmt(e.kl)}`}  ${e.imagesPerSecond.toFixed(1)} img/s` +
            `  ${e.seconds.toFixed(1)}s  ETA ${formatDuration(e.etaSeconds)}`
        )
    }
  }, threads)
  const { run, finished } = start(host)
  if (!json) io.err(`Run ${run.id}: ${run.model} model, ${run.epochs} epochs (Ctrl-C stops after saving).`)
  let interrupts = 0
  const onSigint = () => {
    if (++interrupts > 1) process.exit(EXIT.interrupted)
    host.control(run.id, 'stop')
    io.err('Stopping after the current batch... (Ctrl-C again to quit at once)')
  }
  process.on('SIGINT', onSigint)
  let final: Run
  try {
    final = await finished
  } finally {
    process.off('SIGINT', onSigint)
    progress.done()
  }
  const done = {
    event: 'done',
    runId: final.id,
    status: final.status,
    epochsDone: final.epochsDone,
    bestValLoss: final.bestValLoss,
    backend: final.backend,
    ...(final.stoppedEarlyAt ? { stoppedEarlyAt: final.stoppedEarlyAt } : {}),
    ...(final.error ? { error: final.error } : {})
  }
  if (json) io.out(JSON.stringify(done))
  if (final.status === 'failed') {
    io.err(`aestudio: run ${final.id} failed: ${final.error}`)
    return EXIT.failed
  }
  if (!json)
    io.out(
      final.stoppedEarlyAt
        ? `Run ${final.id} stopped early at epoch ${final.stoppedEarlyAt} of ${final.epochs} on ${final.backend} ` +
            `(validation stopped improving); best validation loss ${fmt(final.bestValLoss)}, kept as its best ` +
            'checkpoint.'
        : `Run ${final.id} ${final.status} after ${final.epochsDone} epochs on ${final.backend}; ` +
            `best validation loss ${fmt(final.bestValLoss)}.`
    )
  return final.status === 'done' ? EXIT.ok : EXIT.interrupted
}

export const train: Command = {
  name: 'train',
  summary: 'Train an autoencoder on a folder of images (imported first) or an imported dataset',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(normalizeAugmentArgs(args), TRAIN_FLAGS, usage)
    if (positionals.length !== 1)
      throw new CliError(`Give one folder or dataset id.\nUsage: ${usage}`, EXIT.usage)
    return withStudio(async (studio) => {
      await requireBackend(values.backend ?? getSettings(studio).backend)
      const dataset = await resolveDataset(studio, io, positionals[0], values)
      const config = configFromFlags(values, getSettings(studio), dataset)
      return followTraining(
        io,
        values.json,
        (host) => startTraining(studio, { datasetId: dataset.id, config }, host),
        threadsOption(values.threads)
      )
    })
  }
}
