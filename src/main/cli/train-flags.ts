import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { BACKEND_CHOICES, type BackendChoice, type TrainConfigInput } from '../../shared/config'
import { LR_SCHEDULE_KINDS, NO_AUGMENT } from '../../shared/train-options'
import type { Settings } from '../../shared/contract/settings'
import type { Studio } from '../services/studio'
import { getSettings } from '../services/settings'
import { parseAugmentFlag } from './augment-flag'
import { CliError, EXIT, numberOption, type CliIO } from './command'
import { createProgress } from './progress'

const text = { type: 'string' } as const

/** The hyperparameter flags every command that trains accepts (train, sweep). */
export const TRAIN_FLAGS = {
  model: text,
  upsample: text,
  latent: text,
  size: text,
  channels: text,
  epochs: text,
  batch: text,
  lr: text,
  beta: text,
  noise: text,
  'noise-kind': text,
  lambda: text,
  clip: text,
  loss: text,
  val: text,
  seed: text,
  backend: text,
  threads: text,
  augment: text,
  'no-augment': { type: 'boolean' },
  'lr-schedule': text,
  'weight-decay': text,
  'early-stop': text
} as const

type TrainFlagValues = {
  [K in keyof typeof TRAIN_FLAGS]?: (typeof TRAIN_FLAGS)[K]['type'] extends 'boolean' ? boolean : string
}

const num = (values: TrainFlagValues, name: keyof TrainFlagValues) =>
  numberOption(name, values[name] as string | undefined)

/** --augment / --no-augment; neither leaves it to the default policy (on for small datasets). */
function augmentFromFlags(values: TrainFlagValues) {
  if (values['no-augment'] && values.augment !== undefined)
    throw new CliError('Give --augment or --no-augment, not both.', EXIT.usage)
  if (values['no-augment']) return { ...NO_AUGMENT }
  return values.augment === undefined ? undefined : parseAugmentFlag(values.augment)
}

function scheduleFromFlags(values: TrainFlagValues) {
  const kind = values['lr-schedule']
  if (kind === undefined) return undefined
  if (!(LR_SCHEDULE_KINDS as readonly string[]).includes(kind))
    throw new CliError(`--lr-schedule is one of ${LR_SCHEDULE_KINDS.join(', ')}; got "${kind}".`, EXIT.usage)
  return { kind }
}

/** The dataset to train on: an id, or a folder imported (incrementally) at the requested size first. */
export async function resolveDataset(
  studio: Studio,
  io: CliIO,
  target: string,
  values: TrainFlagValues
): Promise<{ id: number; size: number; channels: number }> {
  const valFraction = num(values, 'val')
  if (/^\d+$/.test(target) && !existsSync(target)) {
    const d = studio.store.datasets.get(Number(target))
    if (!d) throw new CliError(`Dataset ${target} was not found.`, EXIT.notFound)
    // The split is fixed when a folder is imported; silently ignoring --val would mislead.
    if (valFraction !== undefined && valFraction !== d.valFraction)
      throw new CliError(
        `Dataset ${d.id} was imported with --val ${d.valFraction}; the split is chosen at import. ` +
          'Train on the folder instead to import it with another split.',
        EXIT.usage
      )
    return d
  }
  if (!existsSync(target) || !statSync(target).isDirectory())
    throw new CliError(`"${target}" is neither a folder nor a dataset id.`, EXIT.notFound)
  const { importFolder } = await import('../services/datasets')
  const progress = createProgress(io, 'Importing')
  const result = await importFolder(
    studio,
    {
      paths: [resolve(target)],
      size: num(values, 'size') ?? getSettings(studio).size,
      channels: (num(values, 'channels') ?? 3) as 1 | 3,
      valFraction
    },
    {
      onProgress: (p) => progress.update(p.done, p.total)
    }
  )
  progress.done()
  if (io.interactive)
    io.err(
      `Dataset ${result.datasetId}: ${result.imported} images` +
        `${result.skipped.length ? `, ${result.skipped.length} files skipped` : ''}.`
    )
  return { id: result.datasetId, size: result.size, channels: result.channels }
}

/** A run config from the flags: the dataset fixes size and channels, Settings give the defaults left out. */
export function configFromFlags(
  values: TrainFlagValues,
  settings: Settings,
  dataset: { size: number; channels: number }
): TrainConfigInput {
  const noiseAmount = num(values, 'noise')
  const noiseKind = values['noise-kind']
  const config: Record<string, unknown> = {
    model: values.model ?? 'conv',
    upsample: values.upsample,
    latent: num(values, 'latent') ?? settings.latent,
    size: dataset.size,
    channels: dataset.channels,
    epochs: num(values, 'epochs'),
    batch: num(values, 'batch'),
    lr: num(values, 'lr'),
    beta: num(values, 'beta'),
    noise:
      noiseAmount === undefined && noiseKind === undefined
        ? undefined
        : { kind: noiseKind ?? 'gaussian', amount: noiseAmount ?? 0.2 },
    lambda: num(values, 'lambda'),
    clipNorm: num(values, 'clip'),
    loss: values.loss,
    seed: num(values, 'seed'),
    backend: values.backend ?? settings.backend,
    augment: augmentFromFlags(values),
    lrSchedule: scheduleFromFlags(values),
    weightDecay: num(values, 'weight-decay'),
    earlyStop: num(values, 'early-stop')
  }
  for (const k of Object.keys(config)) if (config[k] === undefined) delete config[k]
  return config as TrainConfigInput
}

/**
 * An explicit `--backend` that cannot start here fails before anything is imported, queued or written, with the
 * backend's own reason (a half-installed native engine, a software-only GPU, ...). `auto` always finds one.
 */
export async function requireBackend(choice: string | undefined): Promise<void> {
  if (choice === undefined || choice === 'auto') return
  if (!(BACKEND_CHOICES as readonly string[]).includes(choice))
    throw new CliError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got "${choice}"`, EXIT.usage)
  const { initBackend } = await import('../backends/activate')
  try {
    await initBackend(choice as BackendChoice)
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.failed)
  }
}

/** `--threads N`: the wasm backend's threads for this command's runs (1 to 64); undefined when not given. */
export function threadsOption(raw: string | undefined): number | undefined {
  const n = numberOption('threads', raw)
  if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 64))
    throw new CliError(`--threads must be a whole number from 1 to 64, got "${raw}"`, EXIT.usage)
  return n
}
