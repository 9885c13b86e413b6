import { listRuns } from '../../services/training'
import { parseCommandArgs, type Command } from '../command'
import { withStudio } from '../with-studio'

const usage = 'aestudio runs [--json]'

export const runs: Command = {
  name: 'runs',
  summary: 'List training runs, newest first',
  usage,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {}, usage)
    const list = withStudio((studio) => listRuns(studio)).map((r) => ({
      id: r.id,
      status: r.status,
      model: r.model,
      latent: r.config.latent,
      epochs: r.epochs,
      epochsDone: r.epochsDone,
      bestValLoss: r.bestValLoss,
      backend: r.backend,
      // Why better backends were passed over and, for webgpu, the GPU adapter the run trained on.
      backendNotes: r.backendNotes,
      datasetId: r.datasetId,
      createdAt: r.createdAt,
      error: r.error
    }))
    if (values.json) return io.out(JSON.stringify(list))
    if (list.length === 0) return io.out('No runs yet. Start one with `aestudio train <folder>`.')
    io.out(['id', 'status', 'model', 'latent', 'epochs', 'best val', 'backend'].join('\t'))
    for (const r of list)
      io.out(
        [
          r.id,
          r.status,
          r.model,
          r.latent,
          `${r.epochsDone}/${r.epochs}`,
          r.bestValLoss === null ? '-' : r.bestValLoss.toPrecision(4),
          r.backend ?? '-'
        ].join('\t')
      )
  }
}
