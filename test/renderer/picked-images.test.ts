// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { droppedImages, imageFromPath } from '../../src/renderer/src/picked-images'
import { provideApi } from '../../src/renderer/src/studio'
import { fakeApi } from './fake-api'

const drop = (...names: string[]) =>
  ({
    files: names.map((n) => new File([new Uint8Array([1, 2, 3])], n, { type: 'image/png' }))
  }) as unknown as DataTransfer

describe('picked images', () => {
  it('names a typed path by its file name', () => {
    expect(imageFromPath('/home/me/faces/ada.jpg')).toEqual({
      source: '/home/me/faces/ada.jpg',
      label: 'ada.jpg',
      url: null
    })
    expect(imageFromPath('C:\\faces\\bob.png').label).toBe('bob.png')
  })

  it('uses the real paths of dropped files on the desktop', async () => {
    const fake = fakeApi({}, 'desktop')
    fake.api.droppedPaths = async (files) => Array.from(files).map((f) => `/real/${f.name}`)
    provideApi(fake.api)
    const images = await droppedImages(drop('a.png', 'b.png'))
    expect(images.map((i) => [i.source, i.label])).toEqual([
      ['/real/a.png', 'a.png'],
      ['/real/b.png', 'b.png']
    ])
    expect(images.every((i) => typeof i.url === 'string')).toBe(true)
  })

  it('in web mode points each file into the one upload folder the server returns', async () => {
    const fake = fakeApi({}, 'web')
    fake.api.droppedPaths = async () => ['/data/uploads/1234']
    provideApi(fake.api)
    const images = await droppedImages(drop('a.png', 'b.png'))
    expect(images.map((i) => i.source)).toEqual(['/data/uploads/1234/a.png', '/data/uploads/1234/b.png'])
  })
})
