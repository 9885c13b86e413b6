import { appInfo } from '../../services/app-info'
import { withStudio } from '../with-studio'
import { parseCommandArgs, type Command } from '../command'

const usage = 'aestudio info [--json]'

export const info: Command = {
  name: 'info',
  summary: 'Show the version, the data directory and the training backends found',
  usage,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {}, usage)
    const i = withStudio((studio) => appInfo(studio))
    if (values.json) return io.out(JSON.stringify(i))
    io.out(`${i.name} ${i.version} (${i.platform}, Node ${i.node})`)
    io.out(`Data directory: ${i.dataDir}`)
    io.out(`Database:       ${i.database} (schema ${i.schemaVersion})`)
    io.out('Backends (best first):')
    for (const b of i.backends) io.out(`  ${b.available ? '✓' : '✗'} ${b.name.padEnd(15)} ${b.detail}`)
  }
}
