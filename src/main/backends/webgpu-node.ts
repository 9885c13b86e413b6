import type * as TF from '@tensorflow/tfjs'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { BackendProbe, GpuAdapterInfo } from '../../shared/contract/app'
import { startWebGpu, type WebGpuOptions, type WebGpuSession } from '../../engine/gpu/webgpu-backend'

const require = createRequire(import.meta.url)

/** Setting this to 1 lets `--backend webgpu` take a software adapter (CI and tests have no GPU). */
export const SOFTWARE_GPU_ENV = 'AESTUDIO_SOFTWARE_GPU'

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

const IN_ELECTRON = "dawn.node cannot run inside Electron; the app's WebGPU needs its GPU window"

/** For `aestudio info`: whether the packages are there and, on Linux, the Vulkan loader; no GPU is touched. */
export function webGpuProbe(platform = process.platform): BackendProbe {
  if (process.versions.electron) return { name: 'webgpu', available: false, detail: IN_ELECTRON }
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

let session: (WebGpuSession & { tf: typeof TF; gpu: GPU }) | undefined

type DawnModule = { create(flags: string[]): GPU; globals: Record<string, unknown> }

/**
 * Makes tfjs-backend-webgpu on dawn.node the active backend and returns the adapter it runs on (see
 * startWebGpu: a software adapter is refused unless `allowSoftware`). Throws, in plain words, when this machine
 * has no usable GPU for it.
 */
export async function activateWebGpu(
  tf: typeof TF,
  options: Omit<WebGpuOptions, 'noAdapterHint'> & { platform?: string }
): Promise<GpuAdapterInfo> {
  if (session) {
    if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend failed to initialise')
    return session.adapter
  }
  // Electron's V8 memory cage forbids the external buffers dawn.node hands out ("External buffers are not
  // allowed"): inside the app, WebGPU has to come from Chromium's own, in a window.
  if (process.versions.electron) throw new Error(IN_ELECTRON)
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
  // Imported before anything sets navigator.gpu, so the package registers its kernels but not its own factory.
  const started = await startWebGpu(tf, gpu, { ...options, noAdapterHint: noAdapterHint(platform) })
  // The Dawn instance is held as long as its device.
  session = { ...started, tf, gpu }
  return started.adapter
}

/** The adapter the webgpu backend runs on, once it was activated. */
export const webGpuAdapter = (): GpuAdapterInfo | undefined => session?.adapter

/**
 * Frees the GPU now rather than at exit: removes the backend and destroys the device (tensors still on it are
 * gone; the active backend falls back to the next registered one). dawn.node 0.6.2 lets the process exit
 * without this.
 */
export function releaseWebGpu(): void {
  const s = session
  session = undefined
  s?.release()
}
