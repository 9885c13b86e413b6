import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import * as tf from '@tensorflow/tfjs'

/**
 * Saving and loading TensorFlow.js layers models as files. `model.save('file://…')` needs tfjs-node, which is
 * optional here, so these IOHandlers write and read the layout it writes: `model.json` (topology + weights
 * manifest, `format: 'layers-model'`) beside one `weights.bin` shard, loadable by `tf.loadLayersModel` from any
 * tfjs (over http in a browser, or with `fileLoader` here).
 */

const MODEL_JSON = 'model.json'
const WEIGHTS = 'weights.bin'

/** Writes `<dir>/model.json` and `<dir>/weights.bin`. */
export function fileSaver(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer)
        throw new Error('only layers models (JSON topology) can be saved as files here')
      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? [])
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {})
      }
      await mkdir(dir, { recursive: true })
      await writeFile(join(dir, WEIGHTS), new Uint8Array(weights))
      await writeFile(join(dir, MODEL_JSON), JSON.stringify(modelJson))
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(modelJson.modelTopology).length,
          weightSpecsBytes: JSON.stringify(modelJson.weightsManifest).length,
          weightDataBytes: weights.byteLength
        }
      }
    }
  }
}

/** Reads a model.json written by `fileSaver` (or tfjs-node, or the converter) and its weight shards. */
export function fileLoader(modelJsonPath: string): tf.io.IOHandler {
  if (!modelJsonPath.endsWith('.json')) modelJsonPath = join(modelJsonPath, MODEL_JSON)
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON
      const base = dirname(resolve(modelJsonPath))
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = []
        const buffers: ArrayBuffer[] = []
        for (const group of manifest) {
          specs.push(...group.weights)
          for (const path of group.paths) {
            const bytes = await readFile(join(base, path))
            buffers.push(
              bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
            )
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)]
      })
    }
  }
}
