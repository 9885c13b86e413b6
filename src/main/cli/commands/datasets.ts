import { listDatasets } from '../../services/datasets'
import { parseCommandArgs, type Command } from '../command'
import { withStudio } from '../with-studio'

const usage = 'aestudio datasets [--json]'

export const datasetsCommand: Command = {
  name: 'datasets',
  summary: 'List imported datasets',
  usage,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {}, usage)
    const list = withStudio((studio) => listDatasets(studio))
    if (values.json) return io.out(JSON.stringify(list))
    if (list.length === 0) return io.out('No datasets yet. Import a folder with `aestudio import <folder>`.')
    const rows = list.map((d) => [
      String(d.id),
      d.name,
      `${d.imageCount} (${d.trainCount}/${d.valCount})`,
      String(d.skippedCount),
      `${d.size}×${d.size}×${d.channels} ${d.fit}`,
      d.source || '(files)'
    ])
    const head = ['ID', 'NAME', 'IMAGES (TRAIN/VAL)', 'SKIPPED', 'PIXELS', 'SOURCE']
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
    for (const r of [head, ...rows])
      io.out(r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]) : c)).join('  '))
  }
}
