// Vector arithmetic on a tiny trained run: the vector against mean codes computed independently, the strength-0
// frame against the plain reconstruction, and the GIF's frames.
import * as tf from '@tensorflow/tfjs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeCodes, encodeImages } from '../../src/engine/model-ops'
import { decodeForModel, importFolder } from '../../src/main/services/datasets'
import { openStudio, type Studio } from '../../src/main/services/studio'
import { startTraining } from '../../src/main/services/training'
import { loadRunModel, releaseModels } from '../../src/main/services/run-models'
import { computeVector, vectorExport, vectorFrame } from '../../src/main/services/vector'
import { aestudioInProcess } from '../helpers/cli'
import { makeSquareImages } from '../helpers/images'

const SIZE = 16
const prep = { size: SIZE, channels: 1, fit: 'cover' } as const
let home: string
let studio: Studio
let files: string[]
let runId: number

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'aestudio-vector-'))
  files = await makeSquareImages(join(home, 'images'), 12)
  studio = openStudio({ home })
  const { datasetId } = await importFolder(studio, {
    paths: [join(home, 'images')],
    size: SIZE,
    channels: 1,
    valFraction: 0.25
  })
  const { run, finished } = startTraining(studio, {
    datasetId,
    config: { model: 'conv', size: SIZE, channels: 1, latent: 4, epochs: 2, batch: 8, lr: 0.01 }
  })
  expect((await finished).status).toBe('done')
  runId = run.id
})

afterAll(async () => {
  await releaseModels(studio)
  studio.close()
  rmSync(home, { recursive: true, force: true })
})

const withImages = () => [files[0], files[2], files[4]]
const withoutImages = () => [files[1], files[3]]

/** Codes of files, straight from a freshly loaded model. */
async function independentCodes(paths: string[]) {
  const { model } = await loadRunModel(studio, runId)
  try {
    const codes = []
    for (const p of paths) codes.push(...(await encodeImages(model, await decodeForModel(p, prep), 1)))
    const [recon] = await decodeCodes(model, [codes[0]])
    return { codes, recon }
  } finally {
    model.dispose()
  }
}

describe('vector arithmetic', () => {
  it('is the difference of the mean codes of the two sets', async () => {
    const r = await computeVector(studio, { runId, withImages: withImages(), withoutImages: withoutImages() })
    const a = (await independentCodes(withImages())).codes
    const b = (await independentCodes(withoutImages())).codes
    const expected = Array.from({ length: 4 }, (_, i) => {
      const ma = a.reduce((s, c) => s + c[i], 0) / a.length
      const mb = b.reduce((s, c) => s + c[i], 0) / b.length
      return ma - mb
    })
    expect(r.dimensions).toBe(4)
    r.vector.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 5))
    expect(r.norm).toBeCloseTo(Math.hypot(...expected), 5)
    expect(r.norm).toBeGreaterThan(0)
  })

  it('shows the plain reconstruction at strength 0 and a different image at strength 1', async () => {
    const target = files[5]
    const input = { runId, withImages: withImages(), withoutImages: withoutImages(), target }
    const zero = await vectorFrame(studio, { ...input, strength: 0 })
    const one = await vectorFrame(studio, { ...input, strength: 1 })
    const { recon } = await independentCodes([target])
    const raw = async (url: string) =>
      new Uint8Array(
        (
          await sharp(Buffer.from(url.split(',')[1], 'base64'))
            .raw()
            .toBuffer()
        ).buffer
      )
    const z = await raw(zero.dataUrl)
    expect(zero).toMatchObject({ width: SIZE, height: SIZE, strength: 0 })
    expect(Array.from(z.filter((_, i) => i % (z.length / recon.data.length) === 0))).toEqual(
      Array.from(recon.data)
    )
    expect(await raw(one.dataUrl)).not.toEqual(z)
  })

  it('writes a GIF with one frame per strength from 0 to the maximum', async () => {
    const out = join(home, 'out', 'vector.gif')
    const r = await vectorExport(studio, {
      runId,
      withImages: withImages(),
      withoutImages: withoutImages(),
      target: files[5],
      strength: 2,
      out,
      frames: 5,
      size: 32,
      delay: 80,
      loop: 0
    })
    expect(r).toMatchObject({
      format: 'gif',
      frames: 5,
      width: 32,
      height: 32,
      strengths: [0, 0.5, 1, 1.5, 2]
    })
    const meta = await sharp(out, { pages: -1 }).metadata()
    expect(meta.pages).toBe(5)
    expect(meta.pageHeight).toBe(32)
  })

  it('leaves no tensors behind once the model is loaded', async () => {
    const input = { runId, withImages: withImages(), withoutImages: withoutImages(), target: files[6] }
    await vectorFrame(studio, { ...input, strength: 0.5 })
    const before = tf.memory().numTensors
    await vectorFrame(studio, { ...input, strength: 1.5 })
    await computeVector(studio, { runId, withImages: [files[7]], withoutImages: [files[8]] })
    await vectorExport(studio, {
      ...input,
      strength: 1,
      out: join(home, 'out', 'leak.gif'),
      frames: 3,
      size: 16,
      delay: 80,
      loop: 0
    })
    expect(tf.memory().numTensors).toBe(before)
  })

  it('aestudio vector --json reports dimensions, norm, strengths and the file', async () => {
    const gifFlags = (file: string) => ['--out', file, '--frames', '3', '--size', '16', '--json']
    const out = join(home, 'out', 'cli.gif')
    const r = await aestudioInProcess(
      [
        'vector',
        String(runId),
        '--with',
        `${files[0]},${files[2]}`,
        '--with',
        files[4],
        '--without',
        files[1],
        files[3],
        '--apply',
        files[5],
        ...gifFlags(out)
      ],
      home
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const json = JSON.parse(r.stdout)
    expect(json).toMatchObject({ dimensions: 4, strengths: [0, 0.5, 1], out })
    const direct = await computeVector(studio, {
      runId,
      withImages: withImages(),
      withoutImages: withoutImages()
    })
    expect(json.norm).toBeCloseTo(direct.norm, 5)
    expect((await sharp(out, { pages: -1 }).metadata()).pages).toBe(3)
    // A negative strength takes the trait away; the GIF still starts at 0.
    const neg = await aestudioInProcess(
      [
        'vector',
        String(runId),
        '--with',
        files[0],
        '--without',
        files[1],
        '--apply',
        files[5],
        '--strength',
        '-2',
        ...gifFlags(join(home, 'out', 'neg.gif'))
      ],
      home
    )
    expect(neg.stderr).toBe('')
    expect(JSON.parse(neg.stdout).strengths).toEqual([0, -1, -2])
    const missing = await aestudioInProcess(
      ['vector', String(runId), '--with', files[0], '--without', join(home, 'nope.png')],
      home
    )
    expect(missing.code).toBe(3)
    expect(missing.stderr).toMatch(/nope\.png does not exist/)
    const bad = await aestudioInProcess(
      ['vector', String(runId), '--with', files[0], '--apply', files[5]],
      home
    )
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--without/)
  })
})
