// `aestudio demo` end to end on the bundled samples, kept tiny (1 epoch, 16 px) so it stays a test; the default
// settings are timed separately (see the issue note).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { samplesFolder, sampleSet } from '../../src/main/services/samples'
import { aestudio } from '../helpers/cli'
import { tempDir } from '../helpers/tmp'

describe('bundled samples', () => {
  it('are 300 Fashion-MNIST PNGs, 30 per class, with their licence beside them', async () => {
    const set = sampleSet()
    expect(set.path).toBe(samplesFolder())
    expect(set.count).toBe(300)
    const files = readdirSync(set.path)
    const classes = new Map<string, number>()
    for (const f of files) classes.set(f.split('-')[0], (classes.get(f.split('-')[0]) ?? 0) + 1)
    expect([...classes.values()]).toEqual(new Array(10).fill(30))
    const meta = await sharp(join(set.path, files[0])).metadata()
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 28, 28, 1])
    expect(readFileSync(join(set.path, '..', 'LICENSE'), 'utf8')).toMatch(/MIT License[\s\S]*Zalando SE/)
  })
})

describe('aestudio demo', () => {
  it('imports the samples, trains, and writes a morph GIF and a reconstruction grid', async () => {
    const home = tempDir()
    const out = join(home, 'demo')
    const args = ['--epochs', '1', '--size', '16', '--latent', '4', '--frames', '4', '--gif-size', '32']
    const r = aestudio(['demo', '--out', out, ...args, '--json'], home, 300_000)
    expect(r.status, r.stderr).toBe(0)
    const result = JSON.parse(r.stdout)
    expect(result.home).toBe(home)
    expect(result.morph.file).toBe(join(out, 'morph.gif'))
    expect(result.recon.file).toBe(join(out, 'recon.png'))

    // Four keyframes, 4 frames out, ping-pong back: 6 frames at 32 px, looping forever.
    const gif = await sharp(join(out, 'morph.gif'), { animated: true }).metadata()
    expect([gif.format, gif.pages, gif.width, gif.pageHeight, gif.loop]).toEqual(['gif', 6, 32, 32, 0])
    const recon = await sharp(join(out, 'recon.png')).metadata()
    // 16 reconstructions of 16 px shown at 64 px, two rows, 2 px gaps.
    expect([recon.format, recon.width, recon.height]).toEqual(['png', 16 * 64 + 17 * 2, 2 * 64 + 3 * 2])
    expect(existsSync(join(home, 'studio.db'))).toBe(true)
  })

  it('refuses bad options before doing any work', () => {
    const home = tempDir()
    const r = aestudio(['demo', '--epochs', 'many'], home)
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/--epochs must be a number/)
  })
})
