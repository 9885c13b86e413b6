import type { Fit } from '../../../shared/contract/domain'
import { JobControl } from '../../../shared/control'
import { DEFAULTS, getDataset, importFolder } from '../../services/datasets'
import { DEFAULT_LIMITS } from '../../imaging/decode'
import { StudioError } from '../../../shared/errors'
import { CliError, EXIT, numberOption, parseCommandArgs, type Command } from '../command'
import { createProgress } from '../progress'
import { withStudio } from '../with-studio'

const usage =
  'aestudio import <folder|files...> [--name NAME] [--size 64] [--channels 3|1] ' +
  '[--fit cover|contain|attention] [--val 0.1] [--seed 1] [--json]'

const help = `${usage}

  --size      output width and height in pixels, a multiple of 8 (default ${DEFAULTS.size})
  --channels  3 for colour, 1 for grey (default ${DEFAULTS.channels})
  --fit       cover: centre crop; contain: letterbox on white; attention: crop around the busiest part
  --val       fraction held out for validation (default ${DEFAULTS.valFraction}), chosen by --seed
              (default ${DEFAULTS.seed}); a re-import keeps the split settings of the first import

Folders are read recursively; hidden and system files are ignored. Importing the same folder with the same
settings again only decodes new or changed files. Files that cannot be used are listed with a reason: images
over ${DEFAULT_LIMITS.maxPixels / 1e6} megapixels, files over ${DEFAULT_LIMITS.maxFileBytes / 1024 ** 2} MB and \
decodes taking over ${DEFAULT_LIMITS.timeoutSeconds} s are skipped.`

const FITS: Fit[] = ['cover', 'contain', 'attention']

export const importCommand: Command = {
  name: 'import',
  summary: 'Import a folder of images (again: only new or changed files are decoded)',
  usage: help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        name: { type: 'string' },
        size: { type: 'string' },
        channels: { type: 'string' },
        fit: { type: 'string' },
        val: { type: 'string' },
        seed: { type: 'string' }
      },
      usage
    )
    if (positionals.length === 0)
      throw new CliError(`Give a folder or image files.\nUsage: ${usage}`, EXIT.usage)
    const channels = numberOption('channels', values.channels)
    if (channels !== undefined && channels !== 1 && channels !== 3)
      throw new CliError(`--channels must be 3 (colour) or 1 (grey), got ${values.channels}`, EXIT.usage)
    if (values.fit !== undefined && !FITS.includes(values.fit as Fit))
      throw new CliError(`--fit must be one of ${FITS.join(', ')}, got "${values.fit}"`, EXIT.usage)

    const control = new JobControl()
    const onInterrupt = () => control.apply('stop')
    process.once('SIGINT', onInterrupt)
    const bar = createProgress(io, 'Importing')
    try {
      return await withStudio(async (studio) => {
        const result = await importFolder(
          studio,
          {
            paths: positionals,
            name: values.name,
            size: numberOption('size', values.size),
            channels: channels as 1 | 3 | undefined,
            fit: values.fit as Fit | undefined,
            valFraction: numberOption('val', values.val),
            seed: numberOption('seed', values.seed)
          },
          {
            control,
            onProgress: ({ done, total, file }) => bar.update(done, total, file)
          }
        )
        bar.done()
        const { datasetId, imported, duplicates, skipped, size } = result
        if (values.json)
          return io.out(
            JSON.stringify({ datasetId, imported, duplicates, skipped, size, channels: result.channels })
          )
        const d = getDataset(studio, datasetId)
        io.out(
          `Dataset ${d.id} "${d.name}": ${imported} image${imported === 1 ? '' : 's'} ` +
            `(${d.trainCount} train, ${d.valCount} validation) at ${size}×${size} ` +
            `${result.channels === 1 ? 'grey' : 'RGB'}, ${d.fit}; ${result.decoded} decoded this time` +
            (result.removed ? `, ${result.removed} gone from the folder` : '') +
            '.'
        )
        if (duplicates)
          io.out(`${duplicates} duplicate${duplicates === 1 ? '' : 's'} (same bytes) counted once.`)
        if (skipped.length) {
          io.out(`Skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'}:`)
          for (const s of skipped) io.out(`  ${s.file}: ${s.reason}`)
        }
      })
    } catch (err) {
      bar.done()
      if (err instanceof StudioError && err.code === 'cancelled')
        throw new CliError(err.message, EXIT.interrupted)
      if (err instanceof StudioError && err.code === 'validation') throw new CliError(err.message, EXIT.usage)
      throw err
    } finally {
      process.off('SIGINT', onInterrupt)
    }
  }
}
