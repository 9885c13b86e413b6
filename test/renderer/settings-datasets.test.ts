// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiError } from '../../src/renderer/src/api/client'
import { useDatasetsStore } from '../../src/renderer/src/stores/datasets'
import { applyTheme, useSettingsStore } from '../../src/renderer/src/stores/settings'
import { provideApi } from '../../src/renderer/src/studio'
import type { CallInput } from '../../src/shared/contract/index'
import { fakeApi } from './fake-api'
import { dataset, datasetImage, importResult, sampleSet, settings } from './fixtures'

describe('settings store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    delete document.documentElement.dataset.theme
  })

  it('applies the theme at once: an explicit choice sets data-theme, "system" leaves it to the OS', async () => {
    const fake = fakeApi({ 'settings.get': () => settings(), 'settings.update': (patch) => settings(patch) })
    provideApi(fake.api)
    const s = useSettingsStore()
    await s.load()
    expect(document.documentElement.dataset.theme).toBeUndefined()
    await s.update({ theme: 'dark' })
    expect(fake.calls.at(-1)).toEqual({ name: 'settings.update', input: { theme: 'dark' } })
    expect(document.documentElement.dataset.theme).toBe('dark')
    // A change made elsewhere arrives as an event and applies too.
    fake.emit('settings.changed', settings({ theme: 'light' }))
    expect(document.documentElement.dataset.theme).toBe('light')
    applyTheme('system')
    expect(document.documentElement.dataset.theme).toBeUndefined()
  })

  it('keeps the saved values and shows why when a change is refused', async () => {
    const fake = fakeApi({
      'settings.get': () => settings(),
      'settings.update': () => {
        throw new ApiError({ code: 'validation', message: 'Invalid input: size: must be a multiple of 8' })
      }
    })
    provideApi(fake.api)
    const s = useSettingsStore()
    await s.load()
    await s.update({ size: 60 })
    expect(s.error).toMatch(/multiple of 8/)
    expect(s.settings?.size).toBe(64)
  })
})

describe('datasets store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  const faces = dataset({ source: '/p', imageCount: 10_000 })
  const page = ({ offset = 0, limit = 100 }: CallInput<'datasets.images'>) => ({
    total: 10_000,
    items: Array.from({ length: limit }, (_, k) =>
      datasetImage({
        id: offset + k + 1,
        relPath: `img${offset + k}.png`,
        thumb: `datasets/1/thumbs/${offset + k}.webp`
      })
    )
  })

  it('fetches thumbnails a page at a time as the grid asks for them, once per page', async () => {
    const fake = fakeApi({
      'datasets.list': () => [faces],
      'datasets.images': page,
      'datasets.skipped': () => []
    })
    provideApi(fake.api)
    const s = useDatasetsStore()
    await s.load()
    expect(s.imageAt(5)?.relPath).toBe('img5.png')
    expect(s.imageAt(9_000)).toBeUndefined()
    s.imageAt(9_001)
    await new Promise((r) => setTimeout(r, 0))
    expect(s.imageAt(9_001)?.id).toBe(9_002)
    const pages = fake.calls
      .filter((c) => c.name === 'datasets.images')
      .map((c) => (c.input as { offset: number }).offset)
    expect(pages).toEqual([0, 9_000])
  })

  it('excludes an image at once and puts it back if the engine refuses', async () => {
    const fake = fakeApi({
      'datasets.list': () => [faces],
      'datasets.images': page,
      'datasets.skipped': () => [{ file: 'notes.txt', reason: 'not an image' }],
      'datasets.exclude': () => true
    })
    provideApi(fake.api)
    const s = useDatasetsStore()
    await s.load()
    expect(s.skipped).toEqual([{ file: 'notes.txt', reason: 'not an image' }])
    await s.setExcluded(3, true)
    expect(fake.calls.at(-1)).toEqual({ name: 'datasets.exclude', input: { imageId: 4, excluded: true } })
    expect(s.imageAt(3)?.excluded).toBe(true)
    fake.handlers['datasets.exclude'] = () => {
      throw new Error('That image is gone.')
    }
    await s.setExcluded(3, false)
    expect(s.imageAt(3)?.excluded).toBe(true)
    expect(s.error).toBe('That image is gone.')
  })

  it('imports with progress events and reports what was skipped', async () => {
    const fake = fakeApi({
      'datasets.import': async () => {
        fake.emit('datasets.progress', { done: 5, total: 10, rate: 50, etaSeconds: 0.1 })
        expect(s.progress).toEqual({ done: 5, total: 10, rate: 50, etaSeconds: 0.1 })
        expect(s.importing).toBe(true)
        return importResult({ imported: 9, skipped: [{ file: 'x.jpg', reason: 'empty file' }] })
      },
      'datasets.list': () => [faces],
      'datasets.images': page,
      'datasets.skipped': () => [{ file: 'x.jpg', reason: 'empty file' }]
    })
    provideApi(fake.api)
    const s = useDatasetsStore()
    await s.importPaths(['/photos'], { size: 32, channels: 3, fit: 'cover', valFraction: 0.1 })
    expect(fake.calls[0]).toEqual({
      name: 'datasets.import',
      input: { paths: ['/photos'], size: 32, channels: 3, fit: 'cover', valFraction: 0.1 }
    })
    expect(s.importing).toBe(false)
    expect(s.lastImport?.imported).toBe(9)
    expect(s.currentId).toBe(1)
    expect(s.skipped[0].reason).toBe('empty file')
  })

  it('"Try sample images" imports the bundled set by its folder', async () => {
    const fake = fakeApi({
      'samples.folder': () =>
        sampleSet({ path: '/app/resources/samples', name: 'Fashion-MNIST', count: 300 }),
      'datasets.import': () => importResult({ imported: 300, channels: 1 }),
      'datasets.list': () => [faces],
      'datasets.images': page,
      'datasets.skipped': () => []
    })
    provideApi(fake.api)
    const s = useDatasetsStore()
    await s.importSamples({ size: 32, channels: 1, fit: 'cover', valFraction: 0.1 })
    expect(fake.calls[1]).toEqual({
      name: 'datasets.import',
      input: {
        paths: ['/app/resources/samples'],
        name: 'Fashion-MNIST',
        size: 32,
        channels: 1,
        fit: 'cover',
        valFraction: 0.1
      }
    })
    expect(s.lastImport?.imported).toBe(300)
  })

  it('says plainly when the folder cannot be imported', async () => {
    const fake = fakeApi({
      'datasets.import': () => {
        throw new ApiError({ code: 'not_found', message: 'The folder /nope does not exist.' })
      }
    })
    provideApi(fake.api)
    const s = useDatasetsStore()
    await s.importPaths(['/nope'], { size: 32, channels: 3, fit: 'cover', valFraction: 0.1 })
    expect(s.importError).toBe('The folder /nope does not exist.')
    expect(s.importing).toBe(false)
  })
})
