import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Settings, SettingsPatch, Theme } from '../../../shared/contract/index'
import { api, errorText } from '../studio'

/** Applies the theme to the page: 'system' removes the override so prefers-color-scheme decides. */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  if (theme === 'system') delete root.dataset.theme
  else root.dataset.theme = theme
}

export const useSettingsStore = defineStore('settings', () => {
  const settings = ref<Settings | null>(null)
  const error = ref<string | null>(null)
  const saving = ref(false)
  let unsubscribe: (() => void) | null = null

  function accept(next: Settings) {
    settings.value = next
    applyTheme(next.theme)
  }

  async function load() {
    error.value = null
    try {
      accept(await api().invoke('settings.get', undefined))
      // Another window (or the CLI through the app) may change them; apply those at once too.
      unsubscribe ??= api().on('settings.changed', accept)
    } catch (err) {
      error.value = errorText(err)
    }
  }

  /** Saves one change; on refusal the old values stay and the reason is shown next to the form. */
  async function update(patch: SettingsPatch) {
    error.value = null
    saving.value = true
    try {
      accept(await api().invoke('settings.update', patch))
    } catch (err) {
      error.value = errorText(err)
    } finally {
      saving.value = false
    }
  }

  return { settings, error, saving, load, update }
})
