import * as v from 'valibot'
import { call } from './define'

export type BackendName = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu'

/** The WebGPU adapter a run trained on, as its driver describes itself. */
export interface GpuAdapterInfo {
  vendor: string
  architecture: string
  device: string
  description: string
  /** WebGPU's own flag for a software (CPU-emulated) adapter. */
  isFallbackAdapter: boolean
}

export interface BackendProbe {
  name: BackendName
  available: boolean
  /** Why it is or is not usable, in plain words ("not installed", "no CUDA device found", ...). */
  detail: string
}

export interface AppInfo {
  name: string
  version: string
  dataDir: string
  database: string
  schemaVersion: number
  platform: string
  node: string
  electron: string | null
  backends: BackendProbe[]
}

export const appCalls = {
  'app.info': call<AppInfo>()(v.optional(v.undefined()), 'Version, data directory and the backends found.')
}
