import type { TrainConfigInput } from '../../../src/shared/config'
import type { GpuAdapterInfo } from '../../../src/shared/contract/app'

/**
 * Messages between the host (the app's training job, here the test) and the GPU worker page, over one
 * MessagePort. The page gets the port in a window `message` event of type PORT_MESSAGE, as Electron's
 * webContents.postMessage(channel, message, [port]) delivers it to a sandboxed page.
 */
export const PORT_MESSAGE = 'aestudio:gpu-port'

export type ToWorker =
  | { type: 'init'; allowSoftware: boolean }
  /** `pixels` (NHWC bytes, training images then validation images) is transferred, not copied. */
  | { type: 'train'; config: TrainConfigInput; pixels: Uint8Array; trainCount: number; valCount: number }

export interface EpochMessage {
  type: 'epoch'
  epoch: number
  loss: number
  valLoss: number | null
  seconds: number
  tensors: number
}

export interface SavedWeight {
  name: string
  shape: number[]
  data: Float32Array
}

export type FromWorker =
  | { type: 'ready'; adapter: GpuAdapterInfo; backend: string; epsilon: number; ms: number }
  | EpochMessage
  /** Weights in the model's trainableVariables order, and the validation images reconstructed: transferred. */
  | { type: 'done'; weights: SavedWeight[]; recon: Float32Array; tensors: number }
  | { type: 'error'; message: string }
