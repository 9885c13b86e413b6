import { realpath, stat } from 'node:fs/promises'
import { isAbsolute, relative, resolve } from 'node:path'

/** Why a requested path was refused; `status` is the HTTP status both transports answer with. */
export class PathRefused extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404
  ) {
    super(message)
    this.name = 'PathRefused'
  }
}

const inside = (root: string, target: string): boolean => {
  const rel = relative(root, target)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/**
 * Turns the path part of a URL (still percent-encoded, relative to `root`) into a path under `root`, or says
 * why not: no `..` segments, no absolute (leading /) or drive paths, no backslashes or NUL bytes, nothing hidden.
 * Purely lexical; `resolveFileInside` also follows symlinks.
 */
export function safeJoin(root: string, urlPath: string): string {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    throw new PathRefused('The path is not valid URL encoding.', 400)
  }
  if (decoded.includes('\0') || decoded.includes('\\'))
    throw new PathRefused('The path has forbidden characters.', 400)
  if (decoded.startsWith('/') || /^[a-zA-Z]:/.test(decoded))
    throw new PathRefused('Absolute paths are refused.', 400)
  const rel = decoded
  const segments = rel.split('/')
  if (segments.some((s) => s === '..' || s === '.'))
    throw new PathRefused('Paths may not contain "." or "..".', 400)
  if (segments.some((s) => s.startsWith('.') && s.length > 1))
    throw new PathRefused('Hidden files are not served.', 403)
  const target = resolve(root, rel)
  if (!inside(resolve(root), target)) throw new PathRefused('The path leaves the served folder.', 403)
  return target
}

/**
 * The real path of an existing regular file under `root`, following symlinks only as long as they stay inside
 * `root` (a link pointing elsewhere is refused as if it were `..`).
 */
export async function resolveFileInside(root: string, urlPath: string): Promise<string> {
  const lexical = safeJoin(root, urlPath)
  let real: string
  let realRoot: string
  try {
    realRoot = await realpath(root)
    real = await realpath(lexical)
  } catch {
    throw new PathRefused('Not found.', 404)
  }
  if (!inside(realRoot, real)) throw new PathRefused('The path leaves the served folder.', 403)
  const info = await stat(real)
  if (!info.isFile()) throw new PathRefused('Not found.', 404)
  return real
}

/** Whether an absolute path (e.g. one the renderer asks to reveal) lies inside `root`, lexically. */
export const isInside = (root: string, target: string): boolean =>
  isAbsolute(target) && inside(resolve(root), resolve(target)) && !target.split(/[\\/]/).includes('..')

/**
 * A file under the data directory for the renderer: images, previews, exports. The database itself (and its
 * WAL/SHM files) is never served; the renderer reads it only through contract calls.
 */
export async function resolveDataFile(home: string, urlPath: string): Promise<string> {
  const file = await resolveFileInside(home, urlPath)
  if (/^studio\.db(-wal|-shm|-journal)?$/.test(relative(await realpath(home), file)))
    throw new PathRefused('The database is not served.', 403)
  return file
}
