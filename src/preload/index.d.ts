import type {
  CallInput,
  CallName,
  CallOutput,
  CallResult,
  EventName,
  EventPayloads
} from '../shared/contract/index'

/** What the preload exposes as `window.api`: derived from the contract, never written by hand. */
export interface PreloadApi {
  invoke<K extends CallName>(name: K, input: CallInput<K>): Promise<CallResult<CallOutput<K>>>
  on<K extends EventName>(name: K, listener: (payload: EventPayloads[K]) => void): () => void
  /** The filesystem path of a File dropped on the window. */
  pathForFile(file: File): string
}

declare global {
  interface Window {
    api?: PreloadApi
  }
}
