import type { BackendChoice } from '../../shared/config'
import type { BackendRequest } from '../../engine/gpu/protocol'
import {
  connectGpuWorker,
  type ConnectOptions,
  type HostChannel,
  type RemoteGpu
} from '../../engine/gpu/remote-session'
import { runSession, type SessionHooks, type SessionOutcome, type SessionStart } from '../../engine/session'
import {
  BACKEND_ORDER,
  initBackend,
  tryBackend,
  type ActiveBackend,
  type BackendOptions
} from '../backends/activate'
import { SOFTWARE_GPU_ENV } from '../backends/webgpu-node'

/** Opens a channel to the GPU worker page (the app's job process asks Electron main for a port). */
export type GpuWorkerConnector = () => Promise<HostChannel>

/** Where a run trains: on a backend in this process, or in the GPU worker page. */
export interface TrainingEngine {
  /** The backend's name as the run records it (webgpu, webgl, wasm, ...). */
  name: string
  notes: string[]
  /** runSession, here or in the GPU worker. */
  run(start: SessionStart, hooks: SessionHooks): Promise<SessionOutcome>
  /** Lets go of the GPU worker when the session never ran (a no-op in this process). */
  release(): void
  /** The backend started in this process (absent for the GPU worker): its threads and replicas. */
  local?: ActiveBackend
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

const local = (b: ActiveBackend): TrainingEngine => ({
  name: b.name,
  notes: b.notes,
  run: runSession,
  release: () => {},
  local: b
})

const remote = (gpu: RemoteGpu, notes: string[]): TrainingEngine => ({
  name: gpu.backend,
  notes: [...notes, ...gpu.notes],
  run: (start, hooks) => gpu.runSession(start, hooks),
  release: () => gpu.close()
})

async function connect(
  gpuWorker: GpuWorkerConnector,
  request: BackendRequest,
  options: ConnectOptions
): Promise<RemoteGpu> {
  return connectGpuWorker(await gpuWorker(), request, options)
}

/**
 * Starts the backend a run asked for. Plain Node (the CLI, web mode, tests without `gpuWorker`) runs every
 * backend in this process, webgpu on dawn.node. Inside the app `gpuWorker` is given, and webgpu means the GPU
 * worker page (dawn.node cannot run inside Electron): `webgpu` asks it for WebGPU only (a software adapter
 * only with AESTUDIO_SOFTWARE_GPU=1), and `auto` climbs the usual ladder with the page in webgpu's place,
 * where it tries WebGPU then WebGL on a hardware GPU before the CPU backends here.
 */
export async function startEngine(
  choice: BackendChoice,
  gpuWorker?: GpuWorkerConnector,
  options: ConnectOptions = {},
  backendOptions: BackendOptions = {}
): Promise<TrainingEngine> {
  if (!gpuWorker || (choice !== 'webgpu' && choice !== 'auto'))
    return local(await initBackend(choice, backendOptions))
  if (choice === 'webgpu') {
    const allowSoftware = process.env[SOFTWARE_GPU_ENV] === '1'
    try {
      return remote(await connect(gpuWorker, { backends: ['webgpu'], allowSoftware }, options), [])
    } catch (err) {
      throw new Error(`The webgpu backend cannot be used here: ${message(err)}`)
    }
  }
  const notes: string[] = []
  for (const name of BACKEND_ORDER) {
    try {
      if (name !== 'webgpu')
        return local(
          await tryBackend(name, backendOptions).then((b) => ({ ...b, notes: [...notes, ...b.notes] }))
        )
      const request: BackendRequest = { backends: ['webgpu', 'webgl'], allowSoftware: false }
      return remote(await connect(gpuWorker, request, options), notes)
    } catch (err) {
      notes.push(`${name} passed over: ${message(err)}`)
    }
  }
  throw new Error(`No training backend could be started:\n${notes.join('\n')}`)
}
