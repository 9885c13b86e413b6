import type { HandlerContext } from './index'
import type {
  LatentMapInput,
  ManifoldInput,
  ModelExportInput,
  MorphExportInput,
  MorphFrameInput,
  ReconGridInput,
  SamplesRandomInput
} from '../../shared/contract/exports'
import type { EventName, EventPayload } from '../../shared/contract/index'
import { sampleSet } from '../exports/samples'
import type { ExportJobParams } from '../jobs/export-job'
import { JobHost } from '../jobs/host'

// TensorFlow.js comes in with the first viewer call, not at start-up.
const service = () => import('../services/exports')

/**
 * The viewers' calls. A live morph frame and the small grids (16 images) answer from a model kept in this
 * process, for latency; exports that decode or encode many images run in a job process, relaying progress.
 */
export function exportHandlers({ studio, events }: HandlerContext, host = new JobHost(studio.paths.home)) {
  const inJob = <T>(params: ExportJobParams): Promise<T> =>
    host.start('export', params, (name, payload) =>
      events.emit(name as EventName, payload as EventPayload<EventName>)
    ).result as Promise<T>
  type Out<K extends keyof Awaited<ReturnType<typeof service>>> = Awaited<
    ReturnType<Awaited<ReturnType<typeof service>>[K]>
  >
  return {
    'morph.frame': async (input: MorphFrameInput) => (await service()).morphFrame(studio, input),
    'morph.export': (input: MorphExportInput) => inJob<Out<'morphExport'>>({ op: 'morph.export', input }),
    'recon.grid': async (input: ReconGridInput) => (await service()).reconGrid(studio, input),
    'samples.random': async (input: SamplesRandomInput) => (await service()).samplesRandom(studio, input),
    'manifold.grid': (input: ManifoldInput) => inJob<Out<'manifoldGrid'>>({ op: 'manifold.grid', input }),
    'latent.map': (input: LatentMapInput) => inJob<Out<'latentMap'>>({ op: 'latent.map', input }),
    'model.export': (input: ModelExportInput) => inJob<Out<'exportModel'>>({ op: 'model.export', input }),
    'samples.folder': () => sampleSet()
  }
}
