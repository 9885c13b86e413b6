// The GPU worker page: a hidden window that runs the engine (runSession) on Chromium's WebGPU, or WebGL where
// WebGPU is off. It owns no files and no store: each training job hands it one MessagePort per run (through
// the window's preload), sends the pixels, and keeps the checkpoints and previews that come back.
import {
  GPU_PORT_MESSAGE,
  webPortChannel,
  type FromGpuWorker,
  type ToGpuWorker,
  type WebMessagePort
} from '../../engine/gpu/protocol'
import { serveGpuSession, type ServedSession } from '../../engine/gpu/worker-session'
import { startPageBackend } from './backends'

const live = new Set<ServedSession>()

/** Chromium's own heap figure where it has one: what a leak in the page would show up in. */
const residentBytes = () =>
  (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0

// Installed at once (no await before it), so a port that arrives as soon as the page has loaded is not missed.
window.addEventListener('message', (e: MessageEvent) => {
  if (e.data !== GPU_PORT_MESSAGE || e.ports.length !== 1) return
  const channel = webPortChannel<ToGpuWorker, FromGpuWorker>(e.ports[0] as unknown as WebMessagePort)
  const session = serveGpuSession(channel, { startBackend: startPageBackend, residentBytes })
  live.add(session)
  void session.ended.then(() => live.delete(session))
})

/** Anything that escapes the sessions leaves the page in an unknown state: their runs end as `lost`. */
const loseAll = (reason: string) => {
  for (const session of live) session.lose(reason)
}
window.addEventListener('error', (e) => loseAll(`the GPU worker page hit an error: ${e.message}`))
window.addEventListener('unhandledrejection', (e) =>
  loseAll(
    `the GPU worker page hit an error: ${e.reason instanceof Error ? e.reason.message : String(e.reason)}`
  )
)
