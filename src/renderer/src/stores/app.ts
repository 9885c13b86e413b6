import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AppInfo, MenuCommand } from '../../../shared/contract/index'
import { api, errorText } from '../studio'

export const TABS = [
  { id: 'datasets', label: 'Datasets' },
  { id: 'train', label: 'Train' },
  { id: 'recon', label: 'Reconstructions' },
  { id: 'morph', label: 'Morph' },
  { id: 'runs', label: 'Runs' },
  { id: 'insights', label: 'Insights' },
  { id: 'vector', label: 'Vectors' },
  { id: 'sweep', label: 'Sweep' },
  { id: 'restore', label: 'Restore' },
  { id: 'settings', label: 'Settings' }
] as const
export type TabId = (typeof TABS)[number]['id']

/** What the whole window shares: the engine's info (version, backends), the open tab, menu commands. */
export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null)
  const error = ref<string | null>(null)
  const tab = ref<TabId>('datasets')
  /** The last native-menu command, for the view that handles it (counter so a repeat still triggers). */
  const menu = ref<{ command: MenuCommand; seq: number } | null>(null)

  async function load() {
    try {
      info.value = await api().invoke('app.info', undefined)
      error.value = null
    } catch (err) {
      error.value = errorText(err)
    }
  }

  function listenToMenu() {
    let seq = 0
    return api().on('menu.command', ({ command }) => {
      tab.value = command === 'preferences' ? 'settings' : command === 'export-gif' ? 'morph' : 'datasets'
      menu.value = { command, seq: ++seq }
    })
  }

  return { info, error, tab, menu, load, listenToMenu }
})
