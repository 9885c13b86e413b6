import type { TrainingEpoch } from '../../../shared/contract/training'
import { sweepExportSchema, sweepGridSchema, type SweepProgress } from '../../../shared/contract/sweep'
import { getSettings } from '../../services/settings'
import { InProcessTrainingHost } from '../../services/training'
import { CliError, EXIT, numberOption, parseCommandArgs, type CliIO, type Command } from '../command'
import { withStudio } from '../with-studio'
import { normalizeAugmentArgs } from '../augment-flag'
import { configFromFlags, requireBackend, resolveDataset, threadsOption, TRAIN_FLAGS } from '../train-flags'
import { validated } from './exports-args'

const usage =
  'aestudio sweep <datasetId|folder> --latents 2,4,8,16,32 [--model conv] [--epochs 20] [--size 64]\n' +
  '       [--channels 3] [--batch 32] [--lr 0.001] [--upsample resize|transpose] [--beta 1] [--lambda 0.001]\n' +
  '       [--noise 0.2] [--noise-kind gaussian|saltpepper|mask|marks] [--clip 0] [--loss mse|bce] [--val 0.1]\n' +
  '       [--seed 1] [--backend auto] [--threads N] [--out sweep.gif] [--grid sweep.png]\n' +
  '       [--count 8] [--delay 600] [--json]'

const text = { type: 'string' } as const

/** "2,4,8" → [2, 4, 8], or a usage error naming the bad part. */
export function parseLatents(raw: string | undefined): number[] {
  if (!raw)
    throw new CliError(
      `Give the latent sizes with --latents, e.g. --latents 2,4,8,16,32.\nUsage: ${usage}`,
      EXIT.usage
    )
  return raw.split(',').map((part) => {
    if (!/^\s*\d+\s*$/.test(part))
      throw new CliError(`--latents takes whole numbers separated by commas, got "${part}".`, EXIT.usage)
    return Number(part)
  })
}

const fmt = (n: number) => n.toPrecision(4)

/** Epoch lines on stderr for a person; nothing for scripts beyond the final JSON. */
function reporter(io: CliIO, json: boolean) {
  return (name: string, payload: unknown) => {
    if (json) return
    if (name === 'sweep.progress') {
      const p = payload as SweepProgress
      const of = `${p.index + 1}/${p.sweep.latents.length}`
      if (p.runId === null) io.err(`Latent ${p.latent} (${of}): not started, the sweep was stopped`)
      else if (p.runStatus === 'running') io.err(`Latent ${p.latent} (${of}): run ${p.runId}`)
      else {
        const r = p.sweep.results.find((x) => x.runId === p.runId)
        io.err(
          `Latent ${p.latent}: run ${p.runId} ${p.runStatus}${r ? `, validation MSE ${fmt(r.valMse)}` : ''}`
        )
      }
    } else if (name === 'training.epoch') {
      const e = payload as TrainingEpoch
      io.err(`  epoch ${e.epoch}/${e.epochs}  loss ${fmt(e.loss)}  ${e.imagesPerSecond.toFixed(1)} img/s`)
    }
  }
}

export const sweep: Command = {
  name: 'sweep',
  summary:
    'Train one model at several latent sizes; report the error per size and export the reconstructions',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      normalizeAugmentArgs(args),
      {
        ...TRAIN_FLAGS,
        latents: text,
        out: { type: 'string', short: 'o' },
        grid: text,
        count: text,
        delay: text
      },
      usage
    )
    if (positionals.length !== 1)
      throw new CliError(`Give one folder or dataset id.\nUsage: ${usage}`, EXIT.usage)
    if (values.latent !== undefined)
      throw new CliError(
        `A sweep sets the latent size itself: give --latents, e.g. --latents 2,4,8.`,
        EXIT.usage
      )
    const latents = parseLatents(values.latents)
    const num = (name: keyof typeof values) => numberOption(name, values[name] as string | undefined)
    const count = num('count')
    // Checked before training, so a bad --out or --delay never costs a whole sweep.
    const gifInput = values.out
      ? validated(sweepExportSchema, { sweepId: 1, count, out: values.out, delay: num('delay') }, usage)
      : null
    const gridInput = values.grid
      ? validated(sweepGridSchema, { sweepId: 1, count, out: values.grid }, usage)
      : null
    if (gifInput) (await import('../../exports/write')).animationFormat(gifInput.out)
    const service = await import('../../services/sweep')
    return withStudio(async (studio) => {
      await requireBackend(values.backend ?? getSettings(studio).backend)
      const dataset = await resolveDataset(studio, io, positionals[0], values)
      const config = configFromFlags(values, getSettings(studio), dataset)
      const report = reporter(io, values.json)
      const host = new InProcessTrainingHost(report, threadsOption(values.threads))
      const started = service.startSweep(studio, { datasetId: dataset.id, config, latents }, host, report)
      if (!values.json)
        io.err(`Sweep ${started.sweep.id}: latent sizes ${latents.join(', ')} (Ctrl-C stops).`)
      let interrupts = 0
      const onSigint = () => {
        if (++interrupts > 1) process.exit(EXIT.interrupted)
        service.stopSweep(studio, started.sweep.id)
        io.err('Stopping after the current batch... (Ctrl-C again to quit at once)')
      }
      process.on('SIGINT', onSigint)
      const final = await started.finished.finally(() => process.off('SIGINT', onSigint))
      const out =
        gifInput && final.results.length > 0
          ? await service.sweepExport(studio, { ...gifInput, sweepId: final.id })
          : null
      const grid =
        gridInput && final.results.length > 0
          ? await service.sweepGrid(studio, { ...gridInput, sweepId: final.id })
          : null
      const result = {
        sweepId: final.id,
        status: final.status,
        runs: final.results,
        ...(out ? { out: out.file, frames: out.frames } : {}),
        ...(grid ? { grid: grid.file } : {}),
        ...(final.error ? { error: final.error } : {})
      }
      if (values.json) io.out(JSON.stringify(result))
      else {
        io.out(`Sweep ${final.id} ${final.status}.`)
        io.out('  latent  run  validation MSE')
        for (const r of final.results)
          io.out(`  ${String(r.latent).padStart(6)}  ${String(r.runId).padStart(3)}  ${fmt(r.valMse)}`)
        if (out) io.out(`Wrote ${out.file} (${out.frames} frames, one per latent size)`)
        if (grid) io.out(`Wrote ${grid.file}`)
      }
      if (final.status === 'failed') {
        io.err(`aestudio: sweep ${final.id} failed: ${final.error}`)
        return EXIT.failed
      }
      return final.status === 'done' ? EXIT.ok : EXIT.interrupted
    })
  }
}
