// The per-epoch preview grid: originals on top (pixel for pixel), reconstructions below, noisy inputs between
// them for the denoiser.
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../../src/main/backends/activate'
import { buildModel } from '../../src/engine/models/index'
import { PREVIEW_COUNT, previewRows } from '../../src/engine/preview'
import { previewPng } from '../../src/main/services/training-preview'
import { parseTrainConfig } from '../../src/shared/config'

beforeAll(async () => {
  await initBackend('cpu')
})

const size = 8
const pixelsOf = (n: number, channels: number) =>
  Uint8Array.from({ length: n * size * size * channels }, (_, i) => (i * 37) % 256)

describe('preview grid', () => {
  for (const [model, channels, rows] of [
    ['conv', 3, 2],
    ['denoising', 1, 3]
  ] as const) {
    it(`${model}, ${channels} channel(s): ${rows} rows, the first one exactly the source images`, async () => {
      const config = parseTrainConfig({ model, size, channels, latent: 4 })
      const net = buildModel(config)
      const count = 11 // more than a grid shows
      const pixels = pixelsOf(count, channels)
      const png = await previewPng(await previewRows(net, { pixels, count, size, channels }, config))
      net.dispose()
      expect((await sharp(png).metadata()).channels).toBe(channels)
      const image = sharp(png)
      const { data, info } = await (channels === 1 ? image.extractChannel(0) : image)
        .raw()
        .toBuffer({ resolveWithObject: true })
      const scale = 64 / size
      expect([info.width, info.height]).toEqual([PREVIEW_COUNT * 64, rows * 64])
      expect(info.channels).toBe(channels)
      // Sample the centre of each enlarged pixel of the top row and compare with the source image bytes.
      for (let i = 0; i < PREVIEW_COUNT; i++)
        for (let y = 0; y < size; y++)
          for (let x = 0; x < size; x++)
            for (let c = 0; c < channels; c++) {
              const gx = (i * size + x) * scale + scale / 2
              const gy = y * scale + scale / 2
              const got = data[(gy * info.width + gx) * channels + c]
              expect(got).toBe(pixels[((i * size + y) * size + x) * channels + c])
            }
    })
  }

  it('refuses an empty source', async () => {
    const config = parseTrainConfig({ model: 'conv', size, channels: 3, latent: 4 })
    const net = buildModel(config)
    await expect(
      previewRows(net, { pixels: new Uint8Array(), count: 0, size, channels: 3 }, config)
    ).rejects.toThrow(/No images/)
    net.dispose()
  })
})
