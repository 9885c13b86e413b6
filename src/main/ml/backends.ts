import { createRequire } from 'node:module'
import type { BackendName, BackendProbe } from '../../shared/contract/app'

const require = createRequire(import.meta.url)

/** Best first: the order `auto` tries them in. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']

const PACKAGE: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs'
}

const explain = (err: unknown): string => {
  const msg = err instanceof Error ? err.message : String(err)
  if (/Cannot find (module|package)/.test(msg))
    return 'not installed (its install downloads libtensorflow, which was not reachable)'
  return `failed to load: ${msg.split('\n')[0]}`
}

/**
 * Which backends could be used here, without initialising any of them. A package that resolves may still fail to
 * load its native library, so the native ones are required for real; the GPU one also needs a visible device.
 */
export function probeBackends(): BackendProbe[] {
  return BACKEND_ORDER.map((name): BackendProbe => {
    try {
      require.resolve(PACKAGE[name])
    } catch (err) {
      return { name, available: false, detail: explain(err) }
    }
    if (name === 'wasm') return { name, available: true, detail: 'WebAssembly with SIMD (XNNPACK)' }
    if (name === 'cpu') return { name, available: true, detail: 'pure JavaScript: slow, always works' }
    return { name, available: true, detail: `${PACKAGE[name]} is installed` }
  })
}
