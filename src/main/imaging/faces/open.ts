import type { BackendName } from '../../../shared/contract/app'
import { loadFaceModels, type FaceModels } from './models'

/**
 * Backends the face models run on, best first. face-api reads tensors back synchronously (dataSync), which
 * webgpu under Node cannot do, and on cpu the detector manages 0.06 faces/s; tensorflow (native, where it
 * is installed) and wasm with our kernels both run it.
 */
export const FACE_BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm']

/**
 * Makes a backend the face models can use active (keeping the current one when it is one of them) and loads
 * the detector, landmark and expression models onto it. Loaded here, not at the top: a process that never
 * finds faces never loads TensorFlow.js.
 */
export async function openFaceModels(): Promise<FaceModels> {
  const [tf, { initBackend }] = await Promise.all([
    import('@tensorflow/tfjs'),
    import('../../backends/activate')
  ])
  if (!FACE_BACKENDS.includes(tf.getBackend() as BackendName)) {
    const why: string[] = []
    for (const name of FACE_BACKENDS) {
      try {
        await initBackend(name)
        why.length = 0
        break
      } catch (err) {
        why.push((err as Error).message)
      }
    }
    if (why.length > 0) throw new Error(`Faces cannot be found here: ${why.join('; ')}`)
  }
  return loadFaceModels()
}

/** The face models of one job: opened on first use only (an unchanged re-import opens none), disposed once. */
export function faceModelsOnce(open: () => Promise<FaceModels> = openFaceModels) {
  let models: Promise<FaceModels> | undefined
  return {
    get: () => (models ??= open()),
    get opened() {
      return models !== undefined
    },
    async dispose() {
      const m = await models?.catch(() => undefined)
      m?.dispose()
      models = undefined
    }
  }
}
export type FaceModelsOnce = ReturnType<typeof faceModelsOnce>
