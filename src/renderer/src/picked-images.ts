import type { DatasetImage } from '../../shared/contract/datasets'
import type { Keyframe } from './stores/morph'
import { api, droppedPaths } from './studio'

/** An image of the open dataset: by id, shown by its thumbnail. */
export const imageFromDataset = (img: DatasetImage): Keyframe => ({
  source: img.id,
  label: img.relPath,
  url: api().fileUrl(img.thumb)
})

/** An image typed in by path: shown by its file name, with no thumbnail until it is decoded. */
export const imageFromPath = (path: string): Keyframe => ({
  source: path,
  label: path.split(/[\\/]/).pop() ?? path,
  url: null
})

/**
 * Dropped image files as picked images. The desktop app gives their real paths; web mode uploads them into one
 * server folder and returns it, and the images keep their names inside it. Local previews come from the files.
 */
export async function droppedImages(data: DataTransfer): Promise<Keyframe[]> {
  const files = Array.from(data.files)
  const paths = await droppedPaths(data)
  const list = api().mode === 'desktop' ? paths : files.map((f) => `${paths[0]}/${f.name}`)
  return list.map((path, i) => ({
    source: path,
    label: files[i]?.name ?? path,
    url: files[i] ? URL.createObjectURL(files[i]) : null
  }))
}
