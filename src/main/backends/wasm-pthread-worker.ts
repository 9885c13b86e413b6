/** The message a pthread worker sends instead of throwing when it cannot load the wasm runtime. */
export const LOAD_FAILED = 'aestudio:pthread-load-failed'

/**
 * The script each pthread of the threaded wasm build runs in, as a `data:` URL Node's worker_threads can start.
 * tfjs-backend-wasm hands Emscripten a `blob:` URL for it and for the runtime, which Node cannot load; this
 * carries both inline instead, so no file has to be found on disk (nor inside the app's asar archive):
 * - `workerContents` is Emscripten's own pthread worker (it already speaks worker_threads under Node, given
 *   CommonJS `require` and `__filename`, which an ES-module worker provides here by hand);
 * - `glueSource` is the runtime's JS glue, which that worker would otherwise `importScripts` from a file.
 * A load that throws is reported to the parent as a LOAD_FAILED message, so starting threads can fail in plain
 * words rather than as an uncaught worker error.
 */
export function pthreadWorkerUrl(gluePath: string, glueSource: string, workerContents: string): URL {
  const json = JSON.stringify
  const source = `import { createRequire } from 'node:module'
import { parentPort } from 'node:worker_threads'
globalThis.require = createRequire(${json(gluePath)})
globalThis.__filename = ${json(gluePath)}
;(0, eval)(${json(workerContents)})
const glue = ${json(`${glueSource}\n//# sourceURL=${gluePath}`)}
globalThis.importScripts = () => (0, eval)(glue)
const handle = globalThis.onmessage
globalThis.onmessage = (e) => {
  if (e.data.cmd !== 'load') return handle(e)
  try {
    handle(e)
  } catch (err) {
    parentPort.postMessage({ cmd: ${json(LOAD_FAILED)}, message: String((err && err.message) || err) })
  }
}
`
  return new URL(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`)
}

/**
 * A stand-in for the pthread workers XNNPACK's pool will not take: it answers Emscripten's 'load' at once
 * without loading the runtime, so start-up does not spend a wasm instance on a worker that is stopped after.
 */
export const idleWorkerUrl = (): URL =>
  new URL(
    'data:text/javascript,' +
      encodeURIComponent(`import { parentPort } from 'node:worker_threads'
parentPort.on('message', (m) => m && m.cmd === 'load' && parentPort.postMessage({ cmd: 'loaded' }))
`)
  )

/**
 * tfjs ships Emscripten's worker as a JS template literal, so its `"\n"` escapes arrive as raw newlines inside
 * string literals; put the escapes back (as tfjs itself does before making its blob) so the source parses.
 */
export const escapeWorkerContents = (contents: string): string => contents.replace(/\n/g, '\\n')
