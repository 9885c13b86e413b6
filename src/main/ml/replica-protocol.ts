import type { BatchSlice } from './types'

/** Main → replica: this step's weights and the replica's slice of the batch (NHWC float32). */
export interface ReplicaStep {
  weights: Float32Array[]
  rows: number
  input: Float32Array
  inputShape: [number, number, number, number]
  /** Absent when the target is the input itself. */
  target?: Float32Array
  targetShape: [number, number, number, number]
  seed: number
  slice: BatchSlice
}

/** Replica → main. */
export type ReplicaReply =
  | { type: 'ready' }
  | { type: 'grads'; value: number; recon: number; kl: number; grads: Float32Array[] }
  | { type: 'failed'; message: string }
