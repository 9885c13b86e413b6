// `aestudio morph | recon | sample | manifold | export` as a user runs them: real files decoded with sharp,
// --json for scripts, and exit codes with plain-words errors (no stack traces) for what goes wrong.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importFolder } from '../../src/main/services/datasets'
import { openStudio } from '../../src/main/services/studio'
import { startTraining } from '../../src/main/services/training'
import { aestudio } from '../helpers/cli'

let home: string
let images: string[]
let runId: number

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'aestudio-exports-cli-'))
  const dir = join(home, 'images')
  mkdirSync(dir)
  images = []
  for (let i = 0; i < 8; i++) {
    const file = join(dir, `img-${i}.png`)
    await sharp({
      create: { width: 24, height: 24, channels: 3, background: { r: 30 * i, g: 200 - 20 * i, b: 90 } }
    })
      .png()
      .toFile(file)
    images.push(file)
  }
  const studio = openStudio({ home })
  try {
    const { datasetId } = await importFolder(studio, {
      paths: [dir],
      size: 16,
      channels: 1,
      valFraction: 0.25
    })
    const { run, finished } = startTraining(studio, {
      datasetId,
      config: { model: 'conv', size: 16, channels: 1, latent: 4, epochs: 1, batch: 8 }
    })
    expect((await finished).status).toBe('done')
    runId = run.id
  } finally {
    studio.close()
  }
})

afterAll(() => rmSync(home, { recursive: true, force: true }))

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .*:\d+/)

describe('aestudio morph', () => {
  it('writes the GIF it was asked for and describes it as JSON', async () => {
    const out = join(home, 'out', 'morph.gif')
    const args = ['morph', String(runId), images[0], images[5], '--out', out, '--frames', '5', '--size', '32']
    const r = aestudio([...args, '--delay', '100', '--loop', '3', '--pingpong', '--json'], home)
    expect(r.status, r.stderr).toBe(0)
    const json = JSON.parse(r.stdout)
    expect(json).toMatchObject({
      file: out,
      format: 'gif',
      frames: 8,
      width: 32,
      height: 32,
      delay: 100,
      loop: 3
    })
    const meta = await sharp(out, { animated: true }).metadata()
    expect([meta.pages, meta.width, meta.pageHeight, meta.loop]).toEqual([8, 32, 32, 3])
    expect(meta.delay).toEqual(new Array(8).fill(100))
  })

  it('prints a short human summary of a PNG strip', async () => {
    const out = join(home, 'out', 'strip.png')
    const r = aestudio(
      ['morph', String(runId), images[1], images[2], images[3], '-o', out, '--frames', '3'],
      home
    )
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toContain(`Wrote ${out}`)
    expect(r.stdout).toMatch(/PNG, 3 frames, 768×256, a strip of frames/)
    expect((await sharp(out).metadata()).width).toBe(768)
  })

  it('names what is wrong: unknown run (3), missing image (3), unreadable image (1), bad options (2)', () => {
    const out = join(home, 'out', 'never.gif')
    const unknown = aestudio(['morph', '999', images[0], images[1], '--out', out], home)
    expect(unknown.status).toBe(3)
    expect(unknown.stderr).toContain('Run 999 was not found.')
    noStack(unknown.stderr)

    const missing = aestudio(['morph', String(runId), images[0], join(home, 'gone.png'), '--out', out], home)
    expect(missing.status).toBe(3)
    expect(missing.stderr).toMatch(/gone\.png does not exist/)

    const junk = join(home, 'junk.jpg')
    writeFileSync(junk, Buffer.from('definitely not a jpeg'))
    const bad = aestudio(['morph', String(runId), images[0], junk, '--out', out, '--json'], home)
    expect(bad.status).toBe(1)
    expect(bad.stderr).toMatch(/junk\.jpg: /)
    expect(JSON.parse(bad.stdout)).toMatchObject({ exitCode: 1 })
    noStack(bad.stderr)
    expect(existsSync(out)).toBe(false)

    const usage = [
      [['morph', String(runId), images[0], '--out', out], /at least two images/],
      [['morph', String(runId), images[0], images[1]], /--out morph\.gif/],
      [
        ['morph', String(runId), images[0], images[1], '--out', out, '--frames', '1'],
        /--frames: must be at least 2/
      ],
      [
        ['morph', String(runId), images[0], images[1], '--out', out, '--interp', 'cubic'],
        /--interp: must be lerp/
      ],
      [['morph', 'abc', images[0], images[1], '--out', out], /run id/i]
    ] as const
    for (const [args, message] of usage) {
      const r = aestudio([...args], home)
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(message)
    }
  })
})

describe('aestudio recon, sample, manifold, export', () => {
  it('recon writes originals above reconstructions', async () => {
    const out = join(home, 'out', 'recon.png')
    const r = aestudio(['recon', String(runId), '--out', out, '--count', '2', '--json'], home)
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({
      file: out,
      rows: ['original', 'reconstruction'],
      columns: 2
    })
    const meta = await sharp(out).metadata()
    expect([meta.width, meta.height]).toEqual([2 * 64 + 3 * 2, 2 * 64 + 3 * 2])
  })

  it('sample and manifold refuse models they do not fit, in plain words', () => {
    const sample = aestudio(['sample', String(runId), '--out', join(home, 's.png')], home)
    expect(sample.status).toBe(1)
    expect(sample.stderr).toMatch(/this model has no sampler/)
    noStack(sample.stderr)
    const manifold = aestudio(['manifold', String(runId), '--out', join(home, 'm.png')], home)
    expect(manifold.status).toBe(1)
    expect(manifold.stderr).toMatch(/needs a 2-D latent space/)
  })

  it('export writes both models and the config', () => {
    const dir = join(home, 'model')
    const r = aestudio(['export', String(runId), '--out', dir], home)
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toContain(`Wrote ${dir}`)
    for (const f of ['encoder/model.json', 'encoder/weights.bin', 'decoder/model.json', 'config.json'])
      expect(existsSync(join(dir, f)), f).toBe(true)
  })
})
