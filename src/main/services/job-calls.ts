import type { Emit, JobCallName } from '../../shared/contract/index'
import type { Handlers } from '../rpc/dispatch'
import type { Studio } from './studio'

// The services are loaded with the first call, so a job process loads only what its one call needs.
const viewers = () => import('./viewers')
const insights = () => import('./insights')
const restore = () => import('./restore')

/**
 * The services behind the contract's `jobCall`s, as a job process runs them. The contract marks which calls
 * these are; the type makes this table name exactly those, so a call cannot be marked and left unserved.
 */
export const jobCallHandlers = (studio: Studio, emit: Emit) =>
  ({
    'morph.export': async (input) =>
      (await viewers()).morphExport(studio, input, { onProgress: (p) => emit('exports.progress', p) }),
    'manifold.grid': async (input) => (await viewers()).manifoldGrid(studio, input),
    'latent.map': async (input) => (await viewers()).latentMap(studio, input),
    'model.export': async (input) => (await viewers()).exportModel(studio, input),
    'insights.pca': async (input) => (await insights()).pcaBaseline(studio, input),
    'insights.compression': async (input) => (await insights()).compressionReport(studio, input),
    'restore.colorize': async (input) => (await restore()).restoreImages(studio, 'colorize', input),
    'restore.clean': async (input) => (await restore()).restoreImages(studio, 'clean', input),
    'sweep.export': async (input) => (await import('./sweep')).sweepExport(studio, input),
    'vector.export': async (input) => (await import('./vector')).vectorExport(studio, input),
    'runs.eval': async ({ runId, folder }) => (await import('./training')).evalRun(studio, runId, folder)
  }) satisfies Pick<Handlers, JobCallName>
