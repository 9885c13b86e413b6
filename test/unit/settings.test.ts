import { describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/rpc/dispatch'
import { EventHub } from '../../src/main/rpc/events'
import { createHandlers } from '../../src/main/handlers/index'
import { getSettings, SETTINGS_DEFAULTS, updateSettings } from '../../src/main/services/settings'
import { openStudio } from '../../src/main/services/studio'
import { tempDir } from '../helpers/tmp'

describe('settings', () => {
  it('starts with defaults and shows the data directory with how to move it', () => {
    const home = tempDir()
    const studio = openStudio({ home })
    const s = getSettings(studio)
    expect(s).toMatchObject(SETTINGS_DEFAULTS)
    expect(s.dataDir).toBe(home)
    expect(s.dataDirHint).toContain('AESTUDIO_HOME')
    studio.close()
  })

  it('saves a change in the store so a reopened studio sees it', () => {
    const home = tempDir()
    const studio = openStudio({ home })
    const s = updateSettings(studio, { latent: 16, theme: 'dark' })
    expect(s).toMatchObject({ latent: 16, theme: 'dark', size: 64, backend: 'auto' })
    studio.close()
    const again = openStudio({ home })
    expect(getSettings(again)).toMatchObject({ latent: 16, theme: 'dark' })
    again.close()
  })

  it('refuses invalid values and saves nothing from a partly bad patch', () => {
    const studio = openStudio({ home: tempDir() })
    expect(() => updateSettings(studio, { latent: 8, size: 60 })).toThrow(/multiple of 8/)
    expect(() => updateSettings(studio, { latent: 1 })).toThrow()
    expect(() => updateSettings(studio, { theme: 'neon' })).toThrow()
    expect(() => updateSettings(studio, { dataDir: '/elsewhere' })).toThrow()
    expect(getSettings(studio)).toMatchObject(SETTINGS_DEFAULTS)
    studio.close()
  })

  it('falls back to the default when a stored value is no longer valid', () => {
    const studio = openStudio({ home: tempDir() })
    studio.store.settings.set('settings.latent', 'lots')
    studio.store.settings.set('settings.backend', 'quantum')
    expect(getSettings(studio)).toMatchObject({ latent: 32, backend: 'auto' })
    studio.close()
  })

  it('answers through the contract with plain validation errors and pushes settings.changed', async () => {
    const studio = openStudio({ home: tempDir() })
    const events = new EventHub()
    const seen: unknown[] = []
    events.subscribe((name, payload) => seen.push({ name, payload }))
    const handlers = createHandlers({ studio, events })
    const bad = await dispatch(handlers, 'settings.update', { latent: 1000 })
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation' } })
    if (!bad.ok) expect(bad.error.issues?.[0]).toMatch(/^latent: /)
    const good = await dispatch(handlers, 'settings.update', { size: 32 })
    expect(good).toMatchObject({ ok: true, value: { size: 32 } })
    expect(seen).toEqual([{ name: 'settings.changed', payload: expect.objectContaining({ size: 32 }) }])
    studio.close()
  })
})
