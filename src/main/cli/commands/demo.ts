import { join, resolve } from 'node:path'
import { EXPORT_DEFAULTS } from '../../../shared/contract/viewers'
import { samplesFolder } from '../../services/samples'
import { startTraining } from '../../services/training'
import { CliError, EXIT, numberOption, parseCommandArgs, type CliIO, type Command } from '../command'
import { createProgress } from '../progress'
import { withStudio } from '../with-studio'
import { exportProgressBar, exportsService } from './exports-args'
import { followTraining } from './train'

const usage =
  'aestudio demo [--out DIR] [--epochs 30] [--size 32] [--latent 16] [--frames 36] [--gif-size 256] [--json]\n\n' +
  'Writes morph.gif and recon.png to --out (default ./aestudio-demo). The sample dataset and the trained run are\n' +
  'kept in the data directory like any other, so the app shows them and `aestudio morph <runId> ...` can reuse them.'

/**
 * What the demo trains: the conv model with nearest-neighbour upsampling (no checkerboard artifacts on
 * enlarged GIF frames), on greyscale Fashion-MNIST at 32 px, sized to finish in well under 3 minutes on 2 CPU
 * cores with the wasm backend.
 */
export const DEMO_DEFAULTS = {
  epochs: 30,
  size: 32,
  latent: 16,
  frames: 36,
  gifSize: 256,
  out: 'aestudio-demo'
}

/** The morph goes shirt → dress → boot → bag and back: shapes different enough that the in-betweens show. */
const KEYFRAMES = ['tshirt-01.png', 'dress-01.png', 'boot-01.png', 'bag-01.png']

/** Swallows stdout so a sub-step (training) can report on stderr only while --json keeps stdout to one object. */
const quietOut = (io: CliIO): CliIO => ({ out: () => {}, err: io.err, interactive: io.interactive })

export const demo: Command = {
  name: 'demo',
  summary: 'Train a small model on the bundled sample images; write a morph GIF and a reconstruction grid',
  usage,
  async run(args, io) {
    const { values } = parseCommandArgs(
      args,
      {
        out: { type: 'string', short: 'o' },
        epochs: { type: 'string' },
        size: { type: 'string' },
        latent: { type: 'string' },
        frames: { type: 'string' },
        'gif-size': { type: 'string' }
      },
      usage
    )
    const started = Date.now()
    const out = resolve(values.out ?? DEMO_DEFAULTS.out)
    const epochs = numberOption('epochs', values.epochs, DEMO_DEFAULTS.epochs)!
    const size = numberOption('size', values.size, DEMO_DEFAULTS.size)!
    const latent = numberOption('latent', values.latent, DEMO_DEFAULTS.latent)!
    const frames = numberOption('frames', values.frames, DEMO_DEFAULTS.frames)!
    const gifSize = numberOption('gif-size', values['gif-size'], DEMO_DEFAULTS.gifSize)!
    const say = (text: string) => !values.json && io.err(text)
    const samples = samplesFolder()

    return withStudio(async (studio) => {
      say(`Data directory: ${studio.paths.home}`)
      say(`1/3 Importing the bundled Fashion-MNIST samples (${samples})`)
      const { importFolder } = await import('../../services/datasets')
      const importBar = createProgress(io, 'Importing')
      const imported = await importFolder(
        studio,
        {
          paths: [samples],
          name: 'Fashion-MNIST samples',
          size,
          channels: 1,
          fit: 'cover',
          valFraction: 0.1
        },
        {
          onProgress: (p) => importBar.update(p.done, p.total)
        }
      )
      importBar.done()
      say(`    dataset ${imported.datasetId}: ${imported.imported} images of ${size}×${size}`)

      say(`2/3 Training a conv autoencoder (latent ${latent}, ${epochs} epochs)`)
      let runId = 0
      const code = await followTraining(values.json ? quietOut(io) : io, false, (host) => {
        const started = startTraining(
          studio,
          {
            datasetId: imported.datasetId,
            config: {
              model: 'conv',
              upsample: 'resize',
              latent,
              size,
              channels: 1,
              epochs,
              batch: 32,
              lr: 0.002,
              seed: 1
            }
          },
          host
        )
        runId = started.run.id
        return started
      })
      if (code !== EXIT.ok)
        throw new CliError(`Training run ${runId} did not finish, so there is nothing to show.`, code)

      say(`3/3 Writing the morph and the reconstructions to ${out}`)
      const service = await exportsService()
      const bar = exportProgressBar(io, 'Morph')
      const morph = await service
        .morphExport(
          studio,
          {
            runId,
            keyframes: KEYFRAMES.map((f) => join(samples, f)),
            out: join(out, 'morph.gif'),
            frames,
            size: gifSize,
            delay: EXPORT_DEFAULTS.delay,
            interp: 'slerp',
            pingpong: true,
            loop: 0
          },
          bar
        )
        .finally(bar.done)
      const recon = await service.reconGrid(studio, { runId, count: 16, out: join(out, 'recon.png') })
      const seconds = (Date.now() - started) / 1000
      if (values.json)
        return io.out(
          JSON.stringify({
            runId,
            datasetId: imported.datasetId,
            home: studio.paths.home,
            morph,
            recon,
            seconds
          })
        )
      io.out(`Morph GIF:       ${morph.file} (${morph.frames} frames, ${morph.width}×${morph.height})`)
      io.out(`Reconstructions: ${recon.file} (originals above reconstructions)`)
      io.out(`Done in ${seconds.toFixed(0)} s. Run ${runId} is kept: try`)
      io.out(
        `  aestudio morph ${runId} ${join(samples, 'sneaker-01.png')} ${join(samples, 'sandal-01.png')} --out sneaker.gif`
      )
    })
  }
}
