import type * as TF from '@tensorflow/tfjs'
import type { GpuAdapterInfo } from '../../shared/contract/app'

// Engine side of the webgpu backend: no Node. Node hands in dawn.node's GPU (webgpu-node.ts), the GPU worker
// page hands in navigator.gpu; both get the same adapter check and the same backend.

/** Drivers that run "GPU" work on the CPU: slower than our wasm backend, never worth choosing. */
const SOFTWARE_DRIVERS = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render/i

export const isSoftwareAdapter = (a: GpuAdapterInfo): boolean =>
  a.isFallbackAdapter || SOFTWARE_DRIVERS.test(`${a.vendor} ${a.architecture} ${a.device} ${a.description}`)

/** One line for notes and the CLI: "nvidia hopper: NVIDIA H200", "... (software)" for a software one. */
export function describeAdapter(a: GpuAdapterInfo): string {
  const kind = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unknown vendor'
  const name = a.description || a.device
  return `${kind}${name ? `: ${name}` : ''}${isSoftwareAdapter(a) ? ' (software)' : ''}`
}

/** The adapter as its driver describes itself; older WebGPU puts the fallback flag on the adapter. */
export function adapterInfo(adapter: GPUAdapter): GpuAdapterInfo {
  const raw = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean }
  return {
    vendor: raw.vendor ?? '',
    architecture: raw.architecture ?? '',
    device: raw.device ?? '',
    description: raw.description ?? '',
    isFallbackAdapter: Boolean(
      raw.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter
    )
  }
}

export interface WebGpuOptions {
  allowSoftware: boolean
  /** Told when a software adapter is refused: how this caller could take it anyway. */
  softwareHint?: string
  /** Why there may be no adapter at all, in this host's terms (drivers to install). */
  noAdapterHint?: string
}

export interface WebGpuSession {
  adapter: GpuAdapterInfo
  device: GPUDevice
  /** Removes the backend and destroys the device: tensors still on it are gone. */
  release(): void
}

/**
 * Makes tfjs-backend-webgpu on `gpu` the active backend. The adapter is checked before any tfjs code sees it:
 * a software one is refused, in plain words, unless `allowSoftware`. We build the WebGPUBackend on our own
 * device rather than letting the package's factory request its own adapter, so the refusal comes first and
 * `release` can destroy the device.
 */
export async function startWebGpu(tf: typeof TF, gpu: GPU, options: WebGpuOptions): Promise<WebGpuSession> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
  if (!adapter)
    throw new Error(`no WebGPU adapter was found${options.noAdapterHint ? `: ${options.noAdapterHint}` : ''}`)
  const info = adapterInfo(adapter)
  if (isSoftwareAdapter(info) && !options.allowSoftware)
    throw new Error(
      `only a software GPU (${describeAdapter(info)}) was found; it runs on the CPU, slower than the wasm ` +
        `backend${options.softwareHint ? ` (${options.softwareHint})` : ''}`
    )
  // The limits tfjs-backend-webgpu's own factory asks for: the adapter's maximum, not WebGPU's small defaults.
  const l = adapter.limits
  const device = await adapter.requestDevice({
    requiredFeatures: (['timestamp-query'] as GPUFeatureName[]).filter((f) => adapter.features.has(f)),
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup
    }
  })
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu')
  // In a page the package registered its own factory on import (navigator.gpu was there): ours replaces it.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu')
  tf.registerBackend('webgpu', () => withNavigatorGpu(gpu, () => new WebGPUBackend(device, adapter.info)))
  const release = () => {
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu')
    device.destroy()
  }
  if (!(await tf.setBackend('webgpu'))) {
    release()
    throw new Error('the webgpu backend failed to initialise')
  }
  return { adapter: info, device, release }
}

/**
 * WebGPUBackend's constructor checks that `navigator.gpu` exists. Under Node (20 has no `navigator`) it is set
 * for that moment only, so no global keeps the Dawn instance; a page's own navigator.gpu is left alone.
 */
function withNavigatorGpu<T>(gpu: GPU, fn: () => T): T {
  const g = globalThis as { navigator?: { gpu?: GPU } }
  if (g.navigator?.gpu) return fn()
  const ownNavigator = g.navigator === undefined
  if (ownNavigator) g.navigator = {}
  Object.defineProperty(g.navigator!, 'gpu', { value: gpu, configurable: true, writable: true })
  try {
    return fn()
  } finally {
    if (ownNavigator) delete g.navigator
    else delete g.navigator!.gpu
  }
}
