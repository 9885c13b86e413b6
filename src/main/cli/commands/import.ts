import type { FacesPerImage, Fit } from '../../../shared/contract/domain'
import { JobControl } from '../../../shared/control'
import { DEFAULTS, FACE_DEFAULTS, getDataset, importFolder } from '../../services/datasets'
import { DEFAULT_LIMITS } from '../../imaging/decode'
import { StudioError } from '../../../shared/errors'
import { CliError, EXIT, numberOption, parseCommandArgs, type Command } from '../command'
import { createProgress } from '../progress'
import { withStudio } from '../with-studio'

const usage =
  'aestudio import <folder|files...> [--name NAME] [--size 64] [--channels 3|1] ' +
  '[--fit cover|contain|attention | --faces [--faces-per-image largest|all] [--face-margin 1]] ' +
  '[--val 0.1] [--seed 1] [--json]'

const help = `${usage}

  --size      output width and height in pixels, a multiple of 8 (default ${DEFAULTS.size})
  --channels  3 for colour, 1 for grey (default ${DEFAULTS.channels})
  --fit       cover: centre crop; contain: letterbox on white; attention: crop around the busiest part
  --faces     find the faces instead and crop each one aligned: eyes level, at the same place in every image
              (photos without a usable face are skipped with the reason)
  --faces-per-image  largest: one image per photo, of its largest face (default); all: one per face,
              named <file>#1, <file>#2, ... left to right
  --face-margin      how much around the face: 1 frames it as aligned face sets do (default
              ${FACE_DEFAULTS.margin}), 0.5 to 3
  --val       fraction held out for validation (default ${DEFAULTS.valFraction}), chosen by --seed
              (default ${DEFAULTS.seed}); a re-import keeps the split settings of the first import

Folders are read recursively; hidden and system files are ignored. Importing the same folder with the same
settings again only decodes new or changed files. Files that cannot be used are listed with a reason: images
over ${DEFAULT_LIMITS.maxPixels / 1e6} megapixels, files over ${DEFAULT_LIMITS.maxFileBytes / 1024 ** 2} MB and \
decodes taking over ${DEFAULT_LIMITS.timeoutSeconds} s are skipped.`

const FITS: Fit[] = ['cover', 'contain', 'attention']
const PER_IMAGE: FacesPerImage[] = ['largest', 'all']

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
        faces: { type: 'boolean' },
        'faces-per-image': { type: 'string' },
        'face-margin': { type: 'string' },
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
    const perImage = values['faces-per-image']
    if (values.faces && values.fit !== undefined)
      throw new CliError(
        `--faces crops around each face, so it cannot be combined with --fit ${values.fit}.\nUsage: ${usage}`,
        EXIT.usage
      )
    for (const flag of ['faces-per-image', 'face-margin'] as const)
      if (!values.faces && values[flag] !== undefined)
        throw new CliError(`--${flag} only applies with --faces.\nUsage: ${usage}`, EXIT.usage)
    const margin = numberOption('face-margin', values['face-margin'])
    if (margin !== undefined && !(margin >= 0.5 && margin <= 3))
      throw new CliError(`--face-margin must be between 0.5 and 3, got ${values['face-margin']}`, EXIT.usage)
    if (perImage !== undefined && !PER_IMAGE.includes(perImage as FacesPerImage))
      throw new CliError(`--faces-per-image must be largest or all, got "${perImage}"`, EXIT.usage)

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
            fit: values.faces ? 'faces' : (values.fit as Fit | undefined),
            facesPerImage: perImage as FacesPerImage | undefined,
            faceMargin: margin,
            valFraction: numberOption('val', values.val),
            seed: numberOption('seed', values.seed)
          },
          {
            control,
            onProgress: ({ done, total, file, faces }) =>
              bar.update(done, total, faces === undefined ? file : `${faces} faces · ${file ?? ''}`)
          }
        )
        bar.done()
        const { datasetId, imported, duplicates, skipped, size, faces } = result
        if (values.json)
          return io.out(
            JSON.stringify({
              datasetId,
              imported,
              duplicates,
              skipped,
              size,
              channels: result.channels,
              ...(faces && { faces })
            })
          )
        const d = getDataset(studio, datasetId)
        io.out(
          `Dataset ${d.id} "${d.name}": ${imported} image${imported === 1 ? '' : 's'} ` +
            `(${d.trainCount} train, ${d.valCount} validation) at ${size}×${size} ` +
            `${result.channels === 1 ? 'grey' : 'RGB'}, ${d.fit}; ${result.decoded} decoded this time` +
            (result.removed ? `, ${result.removed} gone from the folder` : '') +
            '.'
        )
        if (faces) {
          const left = [
            faces.tooSmall && `${faces.tooSmall} too small`,
            faces.profiles && `${faces.profiles} turned to the side`
          ].filter(Boolean)
          io.out(
            `Faces: ${faces.images} from ${faces.photos} photo${faces.photos === 1 ? '' : 's'}, aligned` +
              (d.faces
                ? ` (${d.faces.perImage === 'all' ? 'every face' : 'largest face'}, margin ${d.faces.margin})`
                : '') +
              (left.length ? `; left out of the photos decoded: ${left.join(', ')}` : '') +
              '.'
          )
        }
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
