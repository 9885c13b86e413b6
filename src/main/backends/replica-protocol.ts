import type { BatchSlice } from '../../engine/autoencoder'

/**
 * What a replica worker starts with: the model's config, and the shared memory it trades through. The main
 * thread writes every step's weights into `weights` (one buffer all replicas read); each replica writes its
 * gradients into its own `grads`, variable after variable in `trainableVariables` order.
 */
export interface ReplicaInit {
  config: unknown
  /** Element count of each trainable variable, to check the replica built the same model. */
  sizes: number[]
  weights: SharedArrayBuffer
  grads: SharedArrayBuffer
}

/** Main → replica: train on these rows (NHWC float32, at the start of the buffers) with the weights as written. */
export interface ReplicaStep {
  input: SharedArrayBuffer
  inputShape: [number, number, number, number]
  /** Absent when the target is the input itself. */
  target?: SharedArrayBuffer
  targetShape: [number, number, number, number]
  seed: number
  slice: BatchSlice
}

/** Replica → main; with `grads`, the gradients are in the replica's buffer. */
export type ReplicaReply =
  | { type: 'ready' }
  | { type: 'grads'; value: number; recon: number; kl: number }
  | { type: 'failed'; message: string }
