import * as tf from '@tensorflow/tfjs'
import type { GpuAdapterInfo } from '../../shared/contract/app'
import type { BackendRequest, PageBackendName } from '../../engine/gpu/protocol'
import type { PageBackend } from '../../engine/gpu/worker-session'
import { describeAdapter, isSoftwareAdapter, startWebGpu } from '../../engine/gpu/webgpu-backend'

const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** Which GPU WebGL draws on: the unmasked renderer string, e.g. "ANGLE (NVIDIA, Vulkan 1.3 ...)". */
function webGlRenderer(gl: WebGLRenderingContext): string {
  const ext = gl.getExtension('WEBGL_debug_renderer_info')
  return String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER))
}

/** A started backend, and whether it runs on a software GPU (which only an explicit request may reuse). */
interface Started {
  backend: PageBackend
  software: boolean
}

async function startWebGl(allowSoftware: boolean): Promise<Started> {
  if (!(await tf.setBackend('webgl'))) throw new Error('WebGL is not available in this window')
  const gl = (tf.backend() as unknown as { gpgpu: { gl: WebGLRenderingContext } }).gpgpu.gl
  const renderer = webGlRenderer(gl)
  const info: GpuAdapterInfo = {
    vendor: '',
    architecture: '',
    device: renderer,
    description: renderer,
    isFallbackAdapter: false
  }
  const software = isSoftwareAdapter(info)
  if (software && !allowSoftware)
    throw new Error(`only a software GPU (${renderer}) draws WebGL here; it is slower than the wasm backend`)
  const canvas = gl.canvas as HTMLCanvasElement
  const lost = new Promise<string>((resolve) =>
    canvas.addEventListener('webglcontextlost', () => resolve('the WebGL context was lost'), { once: true })
  )
  const half = !tf.env().getBool('WEBGL_RENDER_FLOAT32_CAPABLE')
  const note = `webgl: ${renderer}, in the app's GPU window${half ? ' (16-bit floats only: less precise)' : ''}`
  return { backend: { name: 'webgl', adapter: null, notes: [note], lost }, software }
}

async function startPageWebGpu(allowSoftware: boolean): Promise<Started> {
  if (!navigator.gpu) throw new Error('WebGPU is off in this window (navigator.gpu is missing)')
  const session = await startWebGpu(tf, navigator.gpu, {
    allowSoftware,
    softwareHint: 'set AESTUDIO_SOFTWARE_GPU=1 and choose webgpu to use it anyway, as the tests do',
    noAdapterHint: 'Chromium found no GPU it may use for WebGPU (see chrome://gpu in a browser)'
  })
  const lost = session.device.lost.then(
    (info) =>
      `the GPU device was lost (${info.reason || 'unknown reason'}${info.message ? `: ${info.message}` : ''})`
  )
  const note = `webgpu: ${describeAdapter(session.adapter)}, in the app's GPU window (Chromium)`
  return {
    backend: { name: 'webgpu', adapter: session.adapter, notes: [note], lost },
    software: isSoftwareAdapter(session.adapter)
  }
}

const starters: Record<PageBackendName, (allowSoftware: boolean) => Promise<Started>> = {
  webgpu: startPageWebGpu,
  webgl: startWebGl
}

let current: (Started & { alive: boolean }) | null = null

/**
 * The page's backend for a session: the first of `request.backends` that starts. One backend serves all the
 * page's sessions (tfjs has one active backend per page), so one already running is reused when it fits the
 * request; after its device is lost the next session starts a fresh one.
 */
export async function startPageBackend(request: BackendRequest): Promise<PageBackend> {
  if (
    current?.alive &&
    request.backends.includes(current.backend.name) &&
    (request.allowSoftware || !current.software)
  )
    return current.backend
  const passed: string[] = []
  for (const name of request.backends) {
    try {
      const started = await starters[name](request.allowSoftware)
      const entry = { ...started, alive: true }
      current = entry
      void started.backend.lost.then(() => (entry.alive = false))
      return { ...started.backend, notes: [...passed, ...started.backend.notes] }
    } catch (err) {
      passed.push(`${name} passed over: ${message(err)}`)
    }
  }
  throw new Error(passed.join('; '))
}
