import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type * as TF from '@tensorflow/tfjs'
import { EXPRESSIONS, type ExpressionScores } from '../../../shared/contract/domain'

const require = createRequire(import.meta.url)

// The seven expressions face_expression_model scores, in its output order (checked at load).
export { EXPRESSIONS, type Expression, type ExpressionScores } from '../../../shared/contract/domain'

export type DetectorName = 'tiny' | 'ssd'

/** What we use of face-api, typed against our own TensorFlow.js (its bundled .d.ts declares a second copy). */
interface FaceBox {
  x: number
  y: number
  width: number
  height: number
}
export interface Detection {
  score: number
  box: FaceBox
}
interface Landmarks {
  positions: { x: number; y: number }[]
}
type NetInput = TF.Tensor3D | TF.Tensor3D[]
interface Net {
  loadFromWeightMap(weights: TF.NamedTensorMap): void
  dispose(): void
  readonly isLoaded: boolean
}
interface DetectorNet extends Net {
  locateFaces(input: TF.Tensor3D, options: object): Promise<Detection[]>
}
interface LandmarkNet extends Net {
  detectLandmarks(input: TF.Tensor3D[]): Promise<Landmarks[]>
}
interface ExpressionNet extends Net {
  predictExpressions(input: TF.Tensor3D[]): Promise<ExpressionScores[]>
}
interface FaceApi {
  version: string
  tf: { engine(): unknown; Tensor: unknown }
  TinyFaceDetector: new () => DetectorNet
  SsdMobilenetv1: new () => DetectorNet
  FaceLandmark68Net: new () => LandmarkNet
  FaceLandmark68TinyNet: new () => LandmarkNet
  FaceExpressionNet: new () => ExpressionNet
  TinyFaceDetectorOptions: new (o: { inputSize: number; scoreThreshold: number }) => object
  SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults: number }) => object
  FACE_EXPRESSION_LABELS: readonly string[]
}
export type { NetInput }

/**
 * face-api's `node-wasm` build: plain CommonJS that `require`s `@tensorflow/tfjs` and the wasm backend as peers
 * instead of bundling its own TensorFlow.js (the esm/browser builds do) or requiring tfjs-node (the default
 * `main`). Node resolves that require to the same `@tensorflow/tfjs/dist/tf.node.js` our `import` loads, so the
 * models run on whichever backend `initBackend` made active. Checked at load: a second copy would have its own
 * Tensor class, and tensors from one would be rejected (or silently mishandled) by the other.
 */
function loadFaceApi(tf: typeof TF): FaceApi {
  const api = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi
  if (api.tf.engine() !== tf.engine() || api.tf.Tensor !== tf.Tensor)
    throw new Error(
      'face-api loaded a second copy of TensorFlow.js; it must share the app’s @tensorflow/tfjs (check for a ' +
        'nested node_modules/@vladmandic/face-api/node_modules/@tensorflow)'
    )
  if (api.FACE_EXPRESSION_LABELS.join() !== EXPRESSIONS.join())
    throw new Error(`face-api ${api.version} scores expressions in an unexpected order`)
  return api
}

/** The folder of model files shipped inside the face-api package (nothing is fetched at run time). */
export const modelDir = () => join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model')

/**
 * Reads one model's weights from disk: its manifest names the shard files and the tensors packed in them, in
 * order. Done here rather than by face-api's `loadFromDisk`, which goes through its platform layer (built for
 * tfjs-node and canvas); a missing or damaged file gets an error that names it.
 */
export function readWeights(tf: typeof TF, dir: string, model: string): TF.NamedTensorMap {
  const manifestFile = join(dir, `${model}-weights_manifest.json`)
  let manifest: TF.io.WeightsManifestConfig
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as TF.io.WeightsManifestConfig
  } catch (err) {
    throw new Error(`The face model ${model} cannot be read (${manifestFile}): ${(err as Error).message}`)
  }
  const shards = manifest.flatMap((group) => group.paths.map((p) => readFileSync(join(dir, p))))
  const bytes = new Uint8Array(shards.reduce((n, s) => n + s.length, 0))
  let at = 0
  for (const s of shards) {
    bytes.set(s, at)
    at += s.length
  }
  const specs = manifest.flatMap((group) => group.weights)
  const expected = specs.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0)
  if (specs.every((w) => w.dtype === 'float32' && !w.quantization) && expected !== bytes.length)
    throw new Error(
      `The face model ${model} is damaged: ${bytes.length} bytes of weights, ${expected} expected`
    )
  return tf.io.decodeWeights(bytes.buffer, specs)
}

export interface FaceModels {
  tf: typeof TF
  detector: DetectorName
  /** Finds faces in an image tensor (any size: the net pads it square and resizes it to its input). */
  locate(image: TF.Tensor3D, threshold: number, inputSize: number): Promise<Detection[]>
  /** 68 landmarks per face patch, in that patch's pixels. */
  landmarks: LandmarkNet
  expressions: ExpressionNet
  /** Frees the weights (about 1,100 tensors for ssd, 400 for tiny). */
  dispose(): void
}

export interface LoadOptions {
  detector?: DetectorName
  /** face_landmark_68 (350 kB) or its tiny version (80 kB). */
  tinyLandmarks?: boolean
  dir?: string
}

/**
 * Loads the detector, landmark and expression models once (a job loads them once and passes them to every
 * `findFaces`). A TensorFlow.js backend must already be active (`initBackend`): the weights live on it.
 */
export async function loadFaceModels(opts: LoadOptions = {}): Promise<FaceModels> {
  const tf = await import('@tensorflow/tfjs')
  const api = loadFaceApi(tf)
  const dir = opts.dir ?? modelDir()
  const detector = opts.detector ?? 'ssd'
  const load = <N extends Net>(net: N, model: string): N => {
    net.loadFromWeightMap(readWeights(tf, dir, model))
    return net
  }
  const loaded: Net[] = []
  try {
    const det =
      detector === 'tiny'
        ? load(new api.TinyFaceDetector(), 'tiny_face_detector_model')
        : load(new api.SsdMobilenetv1(), 'ssd_mobilenetv1_model')
    loaded.push(det)
    const landmarks = opts.tinyLandmarks
      ? load(new api.FaceLandmark68TinyNet(), 'face_landmark_68_tiny_model')
      : load(new api.FaceLandmark68Net(), 'face_landmark_68_model')
    loaded.push(landmarks)
    const expressions = load(new api.FaceExpressionNet(), 'face_expression_model')
    loaded.push(expressions)
    return {
      tf,
      detector,
      locate: (image, threshold, inputSize) =>
        det.locateFaces(
          image,
          detector === 'tiny'
            ? new api.TinyFaceDetectorOptions({ inputSize, scoreThreshold: threshold })
            : new api.SsdMobilenetv1Options({ minConfidence: threshold, maxResults: 100 })
        ),
      landmarks,
      expressions,
      dispose: () => loaded.forEach((n) => n.dispose())
    }
  } catch (err) {
    loaded.forEach((n) => n.dispose())
    throw err
  }
}
