import { FILES_PATH, UPLOAD_PATH, type UploadResult } from '../../../shared/ipc-channels'
import { ApiError } from './client'

/** Relative paths of files found by walking dropped folders (a File from an entry has no path of its own). */
const relativePaths = new WeakMap<File, string>()

const relativeName = (file: File): string =>
  relativePaths.get(file) || (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name

async function walk(entry: FileSystemEntry, out: File[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((ok, fail) => (entry as FileSystemFileEntry).file(ok, fail))
    relativePaths.set(file, entry.fullPath.replace(/^\/+/, ''))
    out.push(file)
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader()
    // readEntries returns at most ~100 entries per call; keep reading until it returns none.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((ok, fail) => reader.readEntries(ok, fail))
      if (batch.length === 0) break
      for (const child of batch) await walk(child, out)
    }
  }
}

/**
 * Every file in a drop, folders walked. Needed in web mode, where a dropped folder is not a File with a path;
 * in Electron `droppedPaths(dataTransfer.files)` is enough (a folder comes through with its real path).
 */
export async function filesFromDataTransfer(dt: DataTransfer): Promise<File[]> {
  const entries = Array.from(dt.items ?? [])
    .map((item) => item.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => Boolean(e))
  if (entries.length === 0) return Array.from(dt.files)
  const out: File[] = []
  for (const e of entries) await walk(e, out)
  return out
}

/** Electron: the real filesystem paths of dropped files and folders. */
export function electronDroppedPaths(files: FileList | File[], pathForFile: (f: File) => string): string[] {
  return Array.from(files)
    .map((f) => pathForFile(f))
    .filter((p) => p.length > 0)
}

/**
 * Web mode: uploads the dropped files' bytes into one new folder on the server and returns that folder's path
 * (one element), ready for `datasets.import`. Files are sent one at a time so memory stays flat.
 */
export async function uploadFiles(
  files: FileList | File[],
  { fetchFn = fetch, base = '' }: { fetchFn?: typeof fetch; base?: string } = {}
): Promise<string[]> {
  // Hidden files (.DS_Store, .git/...) are never images and the server refuses them; leave them behind.
  const list = Array.from(files).filter(
    (f) =>
      !relativeName(f)
        .split('/')
        .some((s) => s.startsWith('.'))
  )
  if (list.length === 0) return []
  const batch = crypto.randomUUID()
  let folder = ''
  for (const file of list) {
    const query = `batch=${batch}&name=${encodeURIComponent(relativeName(file))}`
    const res = await fetchFn(`${base}${UPLOAD_PATH}?${query}`, {
      method: 'POST',
      body: file,
      headers: { 'content-type': 'application/octet-stream' },
      credentials: 'same-origin'
    })
    if (!res.ok) {
      const message = (await res.text().catch(() => '')) || `${res.status} ${res.statusText}`
      throw new ApiError({
        code: res.status === 400 ? 'validation' : 'failed',
        message: `Upload of ${file.name} failed: ${message}`
      })
    }
    folder = ((await res.json()) as UploadResult).folder
  }
  return [folder]
}

/**
 * The URL of a file under the data directory (a thumbnail, preview grid or GIF) for an <img> or a download
 * link. `path` is relative to the data directory, or absolute inside it when `dataDir` is given.
 */
export function fileUrl(path: string, dataDir: string | null, origin = ''): string {
  let rel = path.replace(/\\/g, '/')
  if (dataDir) {
    const home = dataDir.replace(/\\/g, '/').replace(/\/+$/, '') + '/'
    if (rel.startsWith(home)) rel = rel.slice(home.length)
  }
  if (/^([a-zA-Z]:)?\//.test(rel))
    throw new ApiError({ code: 'validation', message: `Not inside the data directory: ${path}` })
  return `${origin}${FILES_PATH}${rel.split('/').map(encodeURIComponent).join('/')}`
}
