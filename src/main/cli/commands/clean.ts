import { restoreCommand } from './colorize'

export const clean = restoreCommand('clean', {
  summary: 'Remove marks or watermarks from images with a denoising run; write PNGs and before|after strips',
  verb: 'Cleaned'
})
