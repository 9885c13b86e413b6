import * as v from 'valibot'
import { BACKEND_CHOICES, modelKinds, type BackendChoice, type ModelKind } from '../../../shared/config'
import { toCallError } from '../../rpc/dispatch'
import { CliError, EXIT, numberOption, parseCommandArgs, type Command } from '../command'
import { threadsOption } from '../train-flags'

const usage =
  'aestudio bench [--model conv] [--upsample transpose|resize] [--size 64] [--channels 3] [--latent 64]\n' +
  '       [--batch 32] [--steps 24] [--backend auto] [--threads N] [--split kernels|batch] [--import] [--json]'

const text = { type: 'string' } as const

const oneOf = <T extends string>(
  name: string,
  raw: string | undefined,
  allowed: readonly T[]
): T | undefined => {
  if (raw === undefined) return undefined
  if (!allowed.includes(raw as T))
    throw new CliError(`--${name} must be one of ${allowed.join(', ')}, got "${raw}"`, EXIT.usage)
  return raw as T
}

/**
 * Training speed on synthetic data (the benchmark network by default, the one shared/bench/torch_ref.py builds),
 * or with --import the image importer's speed against a plain sharp loop.
 */
export const bench: Command = {
  name: 'bench',
  summary: 'Measure training speed (images/s) on this machine, or import speed with --import',
  usage,
  async run(args, io) {
    const { values } = parseCommandArgs(
      args,
      {
        model: text,
        upsample: text,
        size: text,
        channels: text,
        latent: text,
        batch: text,
        steps: text,
        backend: text,
        threads: text,
        split: text,
        import: { type: 'boolean', default: false }
      },
      usage
    )
    if (values.import) {
      const { benchImport } = await import('../../services/import-bench')
      const r = await benchImport({ size: numberOption('size', values.size, 64) })
      if (values.json) return io.out(JSON.stringify(r))
      io.out(
        `Import: ${r.imagesPerSecond} images/s (${r.count} JPEGs ${r.width}×${r.height} → ${r.size}×${r.size})`
      )
      io.out(`Plain sequential sharp loop: ${r.baselineImagesPerSecond} images/s; pool width ${r.poolWidth}`)
      return
    }
    const steps = numberOption('steps', values.steps, 24)!
    if (!Number.isInteger(steps) || steps < 1 || steps > 10_000)
      throw new CliError(`--steps must be a whole number from 1 to 10000, got "${values.steps}"`, EXIT.usage)
    const threads = threadsOption(values.threads)
    const options = {
      model: oneOf<ModelKind>('model', values.model, modelKinds) ?? 'conv',
      upsample: oneOf('upsample', values.upsample, ['transpose', 'resize'] as const),
      size: numberOption('size', values.size),
      channels: numberOption('channels', values.channels) as 1 | 3 | undefined,
      latent: numberOption('latent', values.latent),
      batch: numberOption('batch', values.batch),
      backend: oneOf<BackendChoice>('backend', values.backend, BACKEND_CHOICES),
      steps,
      threads,
      split: oneOf('split', values.split, ['kernels', 'batch'] as const)
    }
    // TensorFlow.js loads only for this branch.
    const { benchTraining } = await import('../../services/training-bench')
    let r
    try {
      r = await benchTraining(options)
    } catch (err) {
      if (err instanceof v.ValiError) throw new CliError(toCallError(err).message, EXIT.usage)
      throw err
    }
    if (values.json) return io.out(JSON.stringify(r))
    io.out(
      `${r.model} (${r.upsample}) ${r.size}×${r.size}×${r.channels}, latent ${r.latent}, batch ${r.batch} on ${r.backend}:`
    )
    io.out(
      `  ${r.imagesPerSecond.toFixed(1)} images/s (${r.stepMs.toFixed(0)} ms a step, ${r.steps} steps after ${r.warmupSteps} warm-up)`
    )
    for (const note of r.notes) io.out(`  ${note}`)
  }
}
