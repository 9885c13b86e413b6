import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import { dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Transform } from 'node:stream'
import type { UploadResult } from '../../shared/ipc-channels'
import { PathRefused, safeJoin } from './paths'

/** A single dropped file may be large (a RAW photo, a zip of images) but not unbounded. */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** `<home>/uploads`: where web-mode drops land, one folder per drop. */
export const uploadsDir = (home: string): string => join(home, 'uploads')

/**
 * Writes one uploaded file to `<home>/uploads/<batch>/<name>`: `batch` is the drop's UUID (made by the page),
 * `name` its relative path inside the drop, held to the same rules as served paths. The bytes go to a temp file
 * renamed into place, so a broken upload never leaves half a file that an import could pick up.
 */
export async function receiveUpload(
  req: IncomingMessage,
  home: string,
  batch: string | null,
  name: string | null
): Promise<UploadResult> {
  if (!batch || !UUID.test(batch)) throw new PathRefused('The upload needs a batch id (a UUID).', 400)
  if (!name || name.length > 1024) throw new PathRefused('The upload needs a file name.', 400)
  const folder = join(uploadsDir(home), batch.toLowerCase())
  const target = safeJoin(folder, encodeURIComponent(name).replace(/%2F/gi, '/'))
  if (target === folder) throw new PathRefused('The upload needs a file name.', 400)
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > MAX_UPLOAD_BYTES) throw new PathRefused('The file is larger than 512 MB.', 400)
  await mkdir(dirname(target), { recursive: true })
  const temp = `${target}.${randomUUID()}.part`
  let bytes = 0
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length
      if (bytes > MAX_UPLOAD_BYTES) done(new PathRefused('The file is larger than 512 MB.', 400))
      else done(null, chunk)
    }
  })
  try {
    await pipeline(req, limit, createWriteStream(temp, { flags: 'wx' }))
    await rename(temp, target)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
  return { folder, file: target, bytes }
}
