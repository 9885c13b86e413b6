// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { describe, expect, it, vi } from 'vitest'

vi.mock('chart.js', async () => (await import('./chart-stub')).chartModule)

import App from '../../src/renderer/src/App.vue'
import { provideApi } from '../../src/renderer/src/studio'
import { fakeApi } from './fake-api'
import { appInfo, settings } from './fixtures'

const info = appInfo({
  backends: [
    { name: 'tensorflow', available: false, detail: 'not installed' },
    { name: 'wasm', available: true, detail: 'WebAssembly with SIMD' }
  ]
})
const prefs = settings({ dataDirHint: 'Set AESTUDIO_HOME.' })

/** A studio with no datasets and no runs yet. */
const emptyStudio = () =>
  fakeApi({
    'app.info': () => info,
    'settings.get': () => prefs,
    'datasets.list': () => [],
    'runs.list': () => []
  })

describe('the studio window', () => {
  it('shows every screen with an empty state that says what to do next, and tabs work from the keyboard', async () => {
    const fake = emptyStudio()
    provideApi(fake.api)
    const errors = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const w = mount(App, { global: { plugins: [createPinia()] }, attachTo: document.body })
    await flushPromises()
    expect(w.text()).toContain('Drop a folder of images')
    expect(w.text()).toContain('No datasets yet')

    const expectations: Record<string, string> = {
      Train: 'Nothing to train on yet',
      Reconstructions: 'No runs yet',
      Morph: 'No trained model yet',
      Runs: 'No runs yet',
      Settings: 'Set AESTUDIO_HOME.'
    }
    for (const [tab, text] of Object.entries(expectations)) {
      await w
        .findAll('[role=tab]')
        .find((t) => t.text() === tab)!
        .trigger('click')
      await flushPromises()
      expect(w.find('[role=tabpanel]').text()).toContain(text)
    }
    // Settings names what auto would pick, from app.info's probe.
    expect(w.text()).toContain(
      'Auto picks wasm (WebAssembly with SIMD). Passed over: tensorflow: not installed.'
    )

    await w.find('[role=tablist]').trigger('keydown', { key: 'Home' })
    expect(w.find('[role=tab][aria-selected=true]').text()).toBe('Datasets')
    await w.find('[role=tablist]').trigger('keydown', { key: 'ArrowLeft' })
    expect(w.find('[role=tab][aria-selected=true]').text()).toBe('Settings')

    // Every form control has an accessible name.
    for (const el of w.findAll('input, select, button')) {
      const e = el.element as HTMLElement
      const named =
        e.getAttribute('aria-label') ||
        e.closest('label') ||
        e.textContent?.trim() ||
        e.getAttribute('aria-labelledby')
      expect(named, e.outerHTML).toBeTruthy()
    }
    expect(errors.mock.calls.filter((c) => String(c[0]).includes('[Vue warn]'))).toEqual([])
    w.unmount()
  })

  it('follows native menu commands: Preferences opens Settings, Export GIF opens Morph', async () => {
    const fake = emptyStudio()
    provideApi(fake.api)
    const w = mount(App, { global: { plugins: [createPinia()] } })
    await flushPromises()
    fake.emit('menu.command', { command: 'preferences' })
    await flushPromises()
    expect(w.find('[role=tab][aria-selected=true]').text()).toBe('Settings')
    fake.emit('menu.command', { command: 'export-gif' })
    await flushPromises()
    expect(w.find('[role=tab][aria-selected=true]').text()).toBe('Morph')
    fake.emit('menu.command', { command: 'import-folder' })
    await flushPromises()
    expect(w.find('[role=tab][aria-selected=true]').text()).toBe('Datasets')
    w.unmount()
    expect(fake.listenerCount('menu.command')).toBe(0)
  })

  it('shows a plain error when the engine cannot be reached', async () => {
    const fake = fakeApi({})
    provideApi(fake.api)
    const w = mount(App, { global: { plugins: [createPinia()] } })
    await flushPromises()
    expect(w.find('[role=alert]').text()).toContain('no fake handler for app.info')
  })
})
