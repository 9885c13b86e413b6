import type * as TF from '@tensorflow/tfjs'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { BackendProbe, GpuAdapterInfo } from '../../shared/contract/app'

const require = createRequire(import.meta.url)

/** Setting this to 1 lets `--backend webgpu` take a software adapter (CI and tests have no GPU). */
export const SOFTWARE_GPU_ENV = 'AESTUDIO_SOFTWARE_GPU'

/** Drivers that run "GPU" work on the CPU: slower than our wasm backend, never worth choosing. */
const SOFTWARE_DRIVERS = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render/i

export const isSoftwareAdapter = (a: GpuAdapterInfo): boolean =>
  a.isFallbackAdapter || SOFTWARE_DRIVERS.test(`${a.vendor} ${a.architecture} ${a.device} ${a.description}`)

/** One line for notes and the CLI: "nvidia hopper: NVIDIA H200 (software)". */
export function describeAdapter(a: GpuAdapterInfo): string {
  const kind = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unknown vendor'
  const name = a.description || a.device
  return `${kind}${name ? `: ${name}` : ''}${isSoftwareAdapter(a) ? ' (software)' : ''}`
}

/** What to install when Dawn finds no adapter, per system (Dawn itself only prints a warning to stderr). */
function noAdapterHint(platform: string): string {
  if (platform === 'linux')
    return (
      'Dawn needs the Vulkan loader (libvulkan.so.1, Debian/Ubuntu package libvulkan1) and a GPU driver with ' +
      'Vulkan (for NVIDIA, the driver ships /usr/share/vulkan/icd.d/nvidia_icd.json; for AMD and Intel, ' +
      'mesa-vulkan-drivers); `vulkaninfo --summary` shows what Vulkan sees'
    )
  if (platform === 'darwin') return 'Dawn uses Metal, which needs macOS 11 or later'
  if (platform === 'win32') return 'Dawn uses Direct3D 12: update the GPU driver'
  return `dawn.node has no build for ${platform}`
}

const LOADER = 'libvulkan.so.1'

/**
 * Where the dynamic loader would find the Vulkan loader, as dlopen searches: LD_LIBRARY_PATH, the ld.so cache,
 * then the default directories. Null when it is absent, so we can say so instead of letting Dawn print a
 * warning and find no adapter.
 */
export function findVulkanLoader(env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean))
    if (existsSync(join(dir, LOADER))) return join(dir, LOADER)
  try {
    if (readFileSync('/etc/ld.so.cache').includes(LOADER)) return `${LOADER} (ld.so cache)`
  } catch {
    // No cache: only the default directories are searched.
  }
  for (const dir of [
    '/lib64',
    '/usr/lib64',
    '/lib/x86_64-linux-gnu',
    '/usr/lib/x86_64-linux-gnu',
    '/lib',
    '/usr/lib'
  ])
    if (existsSync(join(dir, LOADER))) return join(dir, LOADER)
  return null
}

const NO_VULKAN =
  'the Vulkan loader (libvulkan.so.1) is not installed, and Dawn reaches the GPU through Vulkan on Linux ' +
  '(Debian/Ubuntu: apt-get install libvulkan1)'

/** For `aestudio info`: whether the packages are there and, on Linux, the Vulkan loader; no GPU is touched. */
export function webGpuProbe(platform = process.platform): BackendProbe {
  for (const pkg of ['webgpu', '@tensorflow/tfjs-backend-webgpu'])
    try {
      require.resolve(pkg)
    } catch {
      return { name: 'webgpu', available: false, detail: `not installed (npm package "${pkg}")` }
    }
  if (platform === 'linux' && !findVulkanLoader())
    return { name: 'webgpu', available: false, detail: NO_VULKAN }
  return {
    name: 'webgpu',
    available: true,
    detail:
      'WebGPU through Dawn (dawn.node); the GPU is checked when training starts (software GPUs are refused)'
  }
}

interface Session {
  /** Held so the Dawn instance lives as long as its device. */
  gpu: GPU
  device: GPUDevice
  adapter: GpuAdapterInfo
  tf: typeof TF
}
let session: Session | undefined

type DawnModule = { create(flags: string[]): GPU; globals: Record<string, unknown> }

/**
 * Makes tfjs-backend-webgpu, running on dawn.node, the active backend and returns the adapter it runs on. The
 * adapter is checked before any tfjs code sees it: a software one is refused (in plain words) unless
 * `allowSoftware`. We construct the WebGPUBackend on our own device instead of letting the package request
 * one, so the refusal happens first and `releaseWebGpu` can destroy the device. Throws when there is no usable
 * adapter.
 */
export async function activateWebGpu(
  tf: typeof TF,
  options: {
    allowSoftware: boolean
    /** Told when a software adapter is refused: how this caller could take it anyway. */
    softwareHint?: string
    platform?: string
  }
): Promise<GpuAdapterInfo> {
  if (session) {
    if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend failed to initialise')
    return session.adapter
  }
  // Electron's V8 memory cage forbids the external buffers dawn.node hands out ("External buffers are not
  // allowed"): inside the app, WebGPU has to come from Chromium's own, in a window.
  if (process.versions.electron)
    throw new Error("dawn.node cannot run inside Electron; the app's WebGPU needs its GPU window")
  const platform = options.platform ?? process.platform
  if (platform === 'linux' && !findVulkanLoader()) throw new Error(NO_VULKAN)
  let dawn: DawnModule
  try {
    dawn = (await import('webgpu')) as unknown as DawnModule
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err)
    if (/Cannot find (module|package)/.test(msg)) throw new Error('not installed (npm package "webgpu")')
    throw new Error(`dawn.node failed to load: ${msg.split('\n')[0]}`)
  }
  // The WebGPU enums (GPUBufferUsage, GPUMapMode, ...) tfjs-backend-webgpu reads as globals.
  for (const [k, v] of Object.entries(dawn.globals))
    if (!(k in globalThis)) Object.assign(globalThis, { [k]: v })
  const gpu = dawn.create([])
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
  if (!adapter) throw new Error(`no WebGPU adapter was found: ${noAdapterHint(platform)}`)
  const raw = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean }
  const info: GpuAdapterInfo = {
    vendor: raw.vendor ?? '',
    architecture: raw.architecture ?? '',
    device: raw.device ?? '',
    description: raw.description ?? '',
    // Newer WebGPU puts the flag on the info, older on the adapter.
    isFallbackAdapter: Boolean(
      raw.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter
    )
  }
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
  // Imported without navigator.gpu, the package registers its kernels but not its own factory (which would
  // request a second adapter we have not checked).
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu')
  tf.registerBackend('webgpu', () => withNavigatorGpu(gpu, () => new WebGPUBackend(device, raw)))
  session = { gpu, device, adapter: info, tf }
  if (!(await tf.setBackend('webgpu'))) {
    releaseWebGpu()
    throw new Error('the webgpu backend failed to initialise')
  }
  return info
}

/**
 * WebGPUBackend's constructor checks `navigator.gpu` exists. It is set only for that moment: left in place it
 * would keep the Dawn instance reachable from a global (Node 20 has no `navigator` of its own).
 */
function withNavigatorGpu<T>(gpu: GPU, fn: () => T): T {
  const g = globalThis as { navigator?: { gpu?: GPU } }
  const ownNavigator = g.navigator === undefined
  if (ownNavigator) g.navigator = {}
  const before = g.navigator!.gpu
  Object.defineProperty(g.navigator!, 'gpu', { value: gpu, configurable: true, writable: true })
  try {
    return fn()
  } finally {
    if (ownNavigator) delete g.navigator
    else if (before === undefined) delete g.navigator!.gpu
    else g.navigator!.gpu = before
  }
}

/** The adapter the webgpu backend runs on, once it was activated. */
export const webGpuAdapter = (): GpuAdapterInfo | undefined => session?.adapter

/**
 * Frees the GPU so the process can exit: dawn.node keeps Node's event loop alive while a device exists.
 * Tensors still on the webgpu backend are lost; the active backend falls back to the next registered one.
 */
export function releaseWebGpu(): void {
  if (!session) return
  const { tf, device } = session
  session = undefined
  if (tf.findBackend('webgpu')) tf.removeBackend('webgpu')
  device.destroy()
}
