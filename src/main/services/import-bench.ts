import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { importFolder } from './datasets'
import { openStudio } from './studio'
import { defaultPoolWidth, runPool } from '../imaging/pool'
import { shapeSvg } from '../imaging/synthetic'

export interface ImportBench {
  count: number
  width: number
  height: number
  size: number
  /** The importer: scan, hash, decode in a pool, pack, thumbnails, commit. */
  imagesPerSecond: number
  seconds: number
  /** The same files through a plain sequential loop of sharp(file).rotate().resize().raw(). */
  baselineImagesPerSecond: number
  baselineSeconds: number
  /** CPU time (all threads) of each: less sensitive than wall time to other load on the machine. */
  cpuSeconds: number
  baselineCpuSeconds: number
  poolWidth: number
  cores: number
}

/**
 * Times importing a generated folder of `count` JPEGs (`width`×`height`, to `size`×`size` RGB) against a
 * one-file-at-a-time sharp loop doing only the decode and resize. Everything lives in a temp folder that is
 * removed afterwards.
 */
export async function benchImport({
  count = 500,
  width = 1024,
  height = 768,
  size = 64
}: { count?: number; width?: number; height?: number; size?: number } = {}): Promise<ImportBench> {
  const root = mkdtempSync(join(tmpdir(), 'aestudio-bench-'))
  try {
    const dir = join(root, 'images')
    mkdirSync(dir)
    // Shapes with a film-grain overlay, so the JPEGs carry photo-like detail (and size) rather than
    // compressing to almost nothing.
    const raw = { width, height, channels: 3 as const }
    const grain = await sharp({
      create: { ...raw, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } }
    })
      .raw()
      .toBuffer()
    await runPool(
      Array.from({ length: count }, (_, i) => i),
      defaultPoolWidth(),
      async (i) => {
        const jpeg = await sharp(Buffer.from(shapeSvg(i, width, height)))
          .composite([{ input: grain, raw, blend: 'soft-light' }])
          .jpeg({ quality: 90 })
          .toBuffer()
        writeFileSync(join(dir, `photo-${String(i).padStart(4, '0')}.jpg`), jpeg)
      }
    )

    const cpu = () => {
      const u = process.cpuUsage()
      return (u.user + u.system) / 1e6
    }
    let t = performance.now()
    let c = cpu()
    for (const name of (await readdir(dir)).sort())
      await sharp(join(dir, name)).rotate().resize(size, size).raw().toBuffer()
    const baselineSeconds = (performance.now() - t) / 1000
    const baselineCpuSeconds = cpu() - c

    const studio = openStudio({ home: join(root, 'home') })
    try {
      t = performance.now()
      c = cpu()
      const r = await importFolder(studio, { paths: [dir], size })
      const seconds = (performance.now() - t) / 1000
      const cpuSeconds = cpu() - c
      if (r.imported !== count) throw new Error(`benchmark import took ${r.imported} of ${count} images`)
      return {
        count,
        width,
        height,
        size,
        imagesPerSecond: Math.round((count / seconds) * 10) / 10,
        seconds: Math.round(seconds * 100) / 100,
        baselineImagesPerSecond: Math.round((count / baselineSeconds) * 10) / 10,
        baselineSeconds: Math.round(baselineSeconds * 100) / 100,
        cpuSeconds: Math.round(cpuSeconds * 100) / 100,
        baselineCpuSeconds: Math.round(baselineCpuSeconds * 100) / 100,
        poolWidth: defaultPoolWidth(),
        cores: availableParallelism()
      }
    } finally {
      studio.close()
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}
