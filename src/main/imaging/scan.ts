import { opendir, realpath, stat } from 'node:fs/promises'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import { StudioError } from '../../shared/errors'

/** A regular file found by the scan, with what the incremental import compares. */
export interface ScannedFile {
  /** Relative to the scan root, with '/' separators whatever the platform. */
  rel: string
  abs: string
  bytes: number
  mtimeMs: number
}

export interface ScanResult {
  /** The folder paths are relative to. */
  root: string
  /** The folder itself when one folder was given (re-importing it is incremental); '' for a list of files. */
  source: string
  files: ScannedFile[]
  /** Entries that could not be read, with a reason. */
  problems: { rel: string; reason: string }[]
}

/** Names that are never images and that people do not think of as files: skipped without a word. */
const SYSTEM_NAMES = new Set([
  'thumbs.db',
  'ehthumbs.db',
  'desktop.ini',
  'icon\r',
  '__macosx',
  '@eadir',
  '$recycle.bin',
  'system volume information',
  'lost+found'
])

export const isIgnoredName = (name: string): boolean =>
  name.startsWith('.') || SYSTEM_NAMES.has(name.toLowerCase())

const plainReason = (err: unknown): string => {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'ENOENT') return 'broken link'
  if (code === 'ELOOP') return 'link loop'
  return (err as Error).message
}

const toRel = (root: string, abs: string) => relative(root, abs).split(sep).join('/')

/**
 * Lists the files under `paths` (folders are walked recursively). Follows symbolic links but visits each real
 * folder once, so link loops end; unreadable entries become problems instead of failures. Throws only when a
 * path given by the user cannot be read at all.
 */
export async function scan(paths: string[]): Promise<ScanResult> {
  if (paths.length === 0) throw new StudioError('validation', 'Give a folder or some image files to import.')
  const given = paths.map((p) => resolve(p))
  const stats = await Promise.all(
    given.map(async (p) => {
      try {
        return await stat(p)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOENT' || code === 'ENOTDIR')
          throw new StudioError('not_found', `${p} does not exist.`)
        throw new StudioError('failed', `${p} cannot be read: ${plainReason(err)}.`)
      }
    })
  )
  const single = given.length === 1 && stats[0].isDirectory()
  const root = single ? given[0] : commonDir(given.map((p, i) => (stats[i].isDirectory() ? p : dirname(p))))
  const files: ScannedFile[] = []
  const problems: ScanResult['problems'] = []
  const seenDirs = new Set<string>()
  const seenFiles = new Set<string>()

  const addFile = (abs: string, s: { size: number; mtimeMs: number }) => {
    const rel = toRel(root, abs)
    if (seenFiles.has(rel)) return
    seenFiles.add(rel)
    files.push({ rel, abs, bytes: s.size, mtimeMs: Math.trunc(s.mtimeMs) })
  }

  const walk = async (dir: string, mustRead: boolean): Promise<void> => {
    let real: string
    try {
      real = await realpath(dir)
    } catch (err) {
      problems.push({ rel: toRel(root, dir) + '/', reason: `folder could not be read: ${plainReason(err)}` })
      return
    }
    if (seenDirs.has(real)) return
    seenDirs.add(real)
    let handle
    try {
      handle = await opendir(dir)
    } catch (err) {
      if (mustRead) throw new StudioError('failed', `${dir} cannot be read: ${plainReason(err)}.`)
      problems.push({ rel: toRel(root, dir) + '/', reason: `folder could not be read: ${plainReason(err)}` })
      return
    }
    const subdirs: string[] = []
    try {
      for await (const entry of handle) {
        if (isIgnoredName(entry.name)) continue
        const abs = join(dir, entry.name)
        if (entry.isDirectory()) subdirs.push(abs)
        else if (entry.isFile()) {
          try {
            addFile(abs, await stat(abs))
          } catch (err) {
            problems.push({ rel: toRel(root, abs), reason: plainReason(err) })
          }
        } else if (entry.isSymbolicLink()) {
          try {
            const s = await stat(abs)
            if (s.isDirectory()) subdirs.push(abs)
            else if (s.isFile()) addFile(abs, s)
          } catch (err) {
            problems.push({ rel: toRel(root, abs), reason: plainReason(err) })
          }
        }
        // Sockets, pipes and devices are not pictures; reading a pipe could hang.
      }
    } catch (err) {
      problems.push({ rel: toRel(root, dir) + '/', reason: `folder could not be read: ${plainReason(err)}` })
    }
    subdirs.sort()
    for (const sub of subdirs) await walk(sub, false)
  }

  for (let i = 0; i < given.length; i++) {
    if (stats[i].isDirectory()) await walk(given[i], true)
    else if (stats[i].isFile()) addFile(given[i], stats[i])
    else throw new StudioError('validation', `${given[i]} is neither a folder nor a file.`)
  }
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))
  return { root, source: single ? root : '', files, problems }
}

/** The deepest folder containing all of `dirs`. */
function commonDir(dirs: string[]): string {
  let common = dirs[0]
  for (const d of dirs.slice(1)) {
    while (common !== d && !d.startsWith(common.endsWith(sep) ? common : common + sep)) {
      const up = dirname(common)
      if (up === common) break
      common = up
    }
  }
  return common
}

export const displayName = (scanResult: ScanResult): string =>
  scanResult.source ? basename(scanResult.source) : basename(scanResult.root) || 'images'
