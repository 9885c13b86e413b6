// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import FaceSource from '../../src/renderer/src/components/FaceSource.vue'
import { ApiError } from '../../src/renderer/src/api/client'
import { importOptions, useDatasetsStore } from '../../src/renderer/src/stores/datasets'
import { provideApi } from '../../src/renderer/src/studio'
import DatasetsView from '../../src/renderer/src/views/DatasetsView.vue'
import type { CallInput } from '../../src/shared/contract/index'
import type { SourcePhoto } from '../../src/shared/contract/datasets'
import { fakeApi } from './fake-api'
import { dataset, datasetImage, faceOf, importResult, settings } from './fixtures'
import { deferred } from './helpers'

const faceSet = dataset({
  id: 2,
  name: 'party',
  fit: 'faces',
  faces: { perImage: 'all', margin: 1 },
  imageCount: 3
})
const faceImages = [1, 2, 3].map((n) =>
  datasetImage({
    id: 10 + n,
    relPath: `group.jpg#${n}`,
    thumb: `datasets/2/thumbs/${n}.webp`,
    face: faceOf({ source: 'group.jpg', index: n, box: { x: 100 * n, y: 50, width: 80, height: 90 } })
  })
)
const photo = (over: Partial<SourcePhoto> = {}): SourcePhoto => ({
  dataUrl: 'data:image/jpeg;base64,AAAA',
  width: 1024,
  height: 683,
  source: 'group.jpg',
  faces: faceImages.map((i) => ({ imageId: i.id, index: i.face!.index, box: i.face!.box })),
  ...over
})
const page = ({ offset = 0 }: CallInput<'datasets.images'>) => ({
  total: 3,
  items: offset === 0 ? faceImages : []
})

describe('import options', () => {
  it('send the face settings with a face import only (the call refuses them with another fit)', () => {
    const form = {
      size: 64,
      channels: 3,
      fit: 'cover',
      facesPerImage: 'all',
      faceMargin: 1.5,
      valFraction: 0.1
    } as const
    expect(importOptions(['/p'], form)).toEqual({
      paths: ['/p'],
      size: 64,
      channels: 3,
      fit: 'cover',
      valFraction: 0.1
    })
    expect(importOptions(['/p'], { ...form, fit: 'faces' })).toEqual({
      paths: ['/p'],
      size: 64,
      channels: 3,
      fit: 'faces',
      facesPerImage: 'all',
      faceMargin: 1.5,
      valFraction: 0.1
    })
  })
})

describe('source photo in the datasets store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('fetches the photo once and only highlights another face of it; the latest ask wins', async () => {
    const slow = deferred<SourcePhoto>()
    let calls = 0
    const fake = fakeApi({
      'datasets.sourcePhoto': ({ imageId }) =>
        ++calls === 1 ? slow.promise : photo({ source: `other-${imageId}.jpg`, faces: [] })
    })
    provideApi(fake.api)
    const s = useDatasetsStore()
    const first = s.showSource(11)
    const second = s.showSource(99) // asked while the first is on its way: the first is dropped
    await second
    slow.resolve(photo())
    await first
    expect(s.source?.source).toBe('other-99.jpg')
    expect(s.sourceImageId).toBe(99)
    s.closeSource()
    await s.showSource(12)
    expect(s.source?.source).toBe('other-12.jpg')
    expect(fake.calls.map((c) => c.input)).toEqual([
      { imageId: 11, maxSide: 1024 },
      { imageId: 99, maxSide: 1024 },
      { imageId: 12, maxSide: 1024 }
    ])
  })

  it('switches faces of the photo on show without a call, and says why a photo cannot be shown', async () => {
    const fake = fakeApi({ 'datasets.sourcePhoto': () => photo() })
    provideApi(fake.api)
    const s = useDatasetsStore()
    await s.showSource(11)
    await s.showSource(13)
    expect(s.sourceImageId).toBe(13)
    expect(fake.calls).toHaveLength(1)
    fake.handlers['datasets.sourcePhoto'] = () => {
      throw new ApiError({ code: 'conflict', message: 'x.jpg has changed since it was imported.' })
    }
    s.closeSource()
    await s.showSource(40)
    expect(s.sourceError).toBe('x.jpg has changed since it was imported.')
    expect(s.source).toBeNull()
  })
})

describe('FaceSource', () => {
  it('draws a box per face over the photo, highlights the current one and picks another by click or key', async () => {
    const w = mount(FaceSource, { props: { photo: photo(), current: 12 } })
    expect(w.find('img').attributes('src')).toBe('data:image/jpeg;base64,AAAA')
    expect(w.find('svg').attributes('viewBox')).toBe('0 0 1024 683')
    const faces = w.findAll('g.face')
    expect(faces).toHaveLength(3)
    expect(faces.map((f) => f.classes('current'))).toEqual([false, true, false])
    expect(faces[1].attributes('aria-label')).toBe('Face 2 (shown)')
    const rect = faces[0].find('rect')
    expect([rect.attributes('x'), rect.attributes('width'), rect.attributes('height')]).toEqual([
      '100',
      '80',
      '90'
    ])
    expect(w.text()).toContain('face 2 of 3')
    await faces[2].trigger('click')
    await faces[0].trigger('keydown', { key: 'Enter' })
    expect(w.emitted('pick')).toEqual([[13], [11]])
    await w.get('button').trigger('click')
    expect(w.emitted('close')).toHaveLength(1)
  })
})

describe('Datasets view with faces', () => {
  beforeEach(() => setActivePinia(createPinia()))

  function faceApi() {
    const fake = fakeApi({
      'settings.get': () => settings(),
      'datasets.list': () => [faceSet],
      'datasets.images': page,
      'datasets.skipped': () => [{ file: 'sunset.png', reason: 'no face found' }],
      'datasets.sourcePhoto': () => photo()
    })
    provideApi(fake.api)
    return fake
  }

  it('offers Faces beside Fit, with faces per photo and margin, and imports with them', async () => {
    const fake = faceApi()
    const w = mount(DatasetsView)
    await flushPromises()
    expect(w.text()).not.toContain('Faces per photo')
    await w.get('select[aria-describedby="fit-hint"]').setValue('faces')
    expect(w.text()).toContain('Faces per photo')
    const [perImage] = w
      .findAll('select')
      .filter((s) => s.element.parentElement?.textContent?.includes('Faces per photo'))
    await perImage.setValue('all')
    await w.get('input[type="number"][min="0.5"]').setValue('1.5')
    await w.get('#folder-path').setValue('/photos/party')
    let progress = ''
    fake.handlers['datasets.import'] = async () => {
      fake.emit('datasets.progress', { done: 2, total: 4, rate: 1.5, etaSeconds: 2, faces: 5 })
      await flushPromises()
      progress = w.text()
      return importResult({
        datasetId: 2,
        imported: 5,
        faces: { images: 5, photos: 2, tooSmall: 1, profiles: 1 },
        skipped: [{ file: 'sunset.png', reason: 'no face found' }]
      })
    }
    await w.get('form.import-form').trigger('submit')
    await flushPromises()
    expect(fake.calls.find((c) => c.name === 'datasets.import')?.input).toMatchObject({
      paths: ['/photos/party'],
      fit: 'faces',
      facesPerImage: 'all',
      faceMargin: 1.5
    })
    expect(progress).toContain('2 of 4 files · 1.5 files/s · 5 faces found')
    expect(w.get('.import-summary').text()).toMatch(
      /^Imported 5 face images from 2 photos \(left out: 1 turned to the side, 1 too small\), skipped 1\.$/
    )
    expect(w.text()).toContain('faces (every face, margin 1)')
  })

  it('shows the aligned crops, and "source" on one shows its photo with that face highlighted', async () => {
    faceApi()
    const w = mount(DatasetsView, { attachTo: document.body })
    await flushPromises()
    const sources = w.findAll('button.source')
    expect(sources.map((b) => b.attributes('aria-label'))).toEqual(
      faceImages.map((i) => `Show source of ${i.relPath}`)
    )
    expect(w.findAll('.tile img').map((i) => i.attributes('src'))).toEqual(
      faceImages.map((i) => `/files/${i.thumb}`)
    )
    expect(w.find('figure.face-source').exists()).toBe(false)
    await sources[1].trigger('click')
    await flushPromises()
    const figure = w.get('figure.face-source')
    expect(figure.text()).toContain('group.jpg')
    expect(figure.findAll('g.face.current').map((g) => g.attributes('aria-label'))).toEqual([
      'Face 2 (shown)'
    ])
    // The click asked for the photo and did not toggle the image out of training.
    expect(w.findAll('.tile.excluded')).toHaveLength(0)
    await figure.findAll('g.face')[0].trigger('click')
    expect(w.get('g.face.current').attributes('aria-label')).toBe('Face 1 (shown)')
    await figure.get('button').trigger('click')
    expect(w.find('figure.face-source').exists()).toBe(false)
    w.unmount()
  })
})
