import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/**
 * Writes a file so that a crash at any moment leaves either the old file or the complete new one: a temp file
 * beside it, fsync, rename, then fsync of the folder so the rename itself is durable.
 */
export function writeFileAtomic(file: string, data: Uint8Array | Iterable<Uint8Array>): void {
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  const fd = openSync(tmp, 'w')
  try {
    for (const chunk of data instanceof Uint8Array ? [data] : data) {
      let done = 0
      while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done)
    }
    fsyncSync(fd)
  } catch (err) {
    closeSync(fd)
    rmSync(tmp, { force: true })
    throw err
  }
  closeSync(fd)
  renameSync(tmp, file)
  // Directories cannot be opened for fsync on Windows; the rename is enough there.
  try {
    const dir = openSync(dirname(file), 'r')
    try {
      fsyncSync(dir)
    } finally {
      closeSync(dir)
    }
  } catch {
    /* best effort */
  }
}
