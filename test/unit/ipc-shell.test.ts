import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import { EventHub } from '../../src/main/rpc/events'
import { openStudio } from '../../src/main/services/studio'
import { tempDir } from '../helpers/tmp'

// Electron's main-process modules, recorded: the desktop manners are checked without an Electron binary.
const e = vi.hoisted(() => ({
  notifications: [] as { title: string; body: string }[],
  theme: { themeSource: 'system', shouldUseDarkColors: false },
  dialogs: [] as unknown[],
  shown: [] as string[],
  menu: null as unknown,
  workArea: { x: 0, y: 0, width: 1920, height: 1080 }
}))
vi.mock('electron', () => ({
  Notification: class {
    static isSupported = () => true
    constructor(private readonly o: { title: string; body: string }) {}
    show() {
      e.notifications.push(this.o)
    }
  },
  nativeTheme: e.theme,
  screen: { getDisplayMatching: () => ({ workArea: e.workArea }) },
  dialog: {
    showOpenDialog: async (_w: unknown, o: unknown) => (
      e.dialogs.push(o),
      { canceled: false, filePaths: ['/pics'] }
    ),
    showSaveDialog: async (_w: unknown, o: unknown) => (e.dialogs.push(o), { canceled: true, filePath: '' })
  },
  shell: { showItemInFolder: (p: string) => e.shown.push(p) },
  Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: (m: unknown) => (e.menu = m) }
}))

const { followActivity } = await import('../../src/main/shell/taskbar')
const { followTheme } = await import('../../src/main/shell/theme')
const { loadBounds, rememberBounds } = await import('../../src/main/shell/window-state')
const { nativeShellHandlers } = await import('../../src/main/shell/native-handlers')
const { installMenu } = await import('../../src/main/shell/menu')

class FakeWindow extends EventEmitter {
  progress: number[] = []
  bounds = { x: 100, y: 50, width: 1000, height: 700 }
  setProgressBar(v: number) {
    this.progress.push(v)
  }
  isDestroyed = () => false
  isMinimized = () => false
  isMaximized = () => true
  getNormalBounds = () => this.bounds
}

describe('desktop manners', () => {
  it('shows training progress on the taskbar and notifies when a run ends', () => {
    const hub = new EventHub()
    const win = new FakeWindow()
    followActivity(hub, () => win as never)
    hub.emit('training.batch', {
      runId: 1,
      epoch: 2,
      epochs: 4,
      batch: 1,
      batches: 2,
      loss: 1,
      imagesPerSecond: 1
    })
    hub.emit('training.status', { runId: 1, status: 'done', epochsDone: 4, error: null })
    expect(win.progress).toEqual([0.375, -1])
    expect(e.notifications).toEqual([{ title: 'Autoencoder Studio', body: 'Run 1 finished training' }])
  })

  it('follows the theme setting, system by default', () => {
    const hub = new EventHub()
    followTheme('system', hub)
    expect(e.theme.themeSource).toBe('system')
    hub.emit('settings.changed', { theme: 'dark' } as never)
    expect(e.theme.themeSource).toBe('dark')
  })

  it('remembers window bounds in the settings table and drops positions that are off every screen', () => {
    const studio = openStudio({ home: tempDir() })
    expect(loadBounds(studio.store.settings)).toBeNull()
    const win = new FakeWindow()
    rememberBounds(win as never, studio.store.settings)
    win.emit('close')
    expect(loadBounds(studio.store.settings)).toEqual({
      x: 100,
      y: 50,
      width: 1000,
      height: 700,
      maximized: true
    })
    studio.store.settings.set('window.bounds', { x: 5000, y: 3000, width: 1000, height: 700 })
    expect(loadBounds(studio.store.settings)).toEqual({ width: 1000, height: 700, maximized: undefined })
    studio.close()
  })

  it('opens OS dialogs for the window and reveals only files in the data directory', async () => {
    const win = new FakeWindow()
    const h = nativeShellHandlers(() => win as never, '/data/home')
    expect(await h['dialog.openFolder'](undefined)).toEqual({ path: '/pics' })
    expect(
      await h['dialog.saveFile']({
        defaultPath: 'morph.gif',
        filters: [{ name: 'GIF', extensions: ['gif'] }]
      })
    ).toEqual({
      path: null
    })
    expect(e.dialogs[1]).toMatchObject({
      defaultPath: 'morph.gif',
      filters: [{ name: 'GIF', extensions: ['gif'] }]
    })
    await h['shell.showItem']({ path: '/data/home/runs/1' })
    expect(e.shown).toEqual(['/data/home/runs/1'])
    expect(() => h['shell.showItem']({ path: '/etc/passwd' })).toThrow(/data directory/)
    expect(() => h['shell.showItem']({ path: '/data/home/../../etc' })).toThrow(/data directory/)
  })

  it('sends menu commands to the renderer as events', () => {
    const sent: string[] = []
    installMenu('Autoencoder Studio', false, (c) => sent.push(c))
    const items = (e.menu as { label?: string; click?: () => void; submenu?: unknown[] }[]).flatMap((m) => [
      m,
      ...((m.submenu ?? []) as { click?: () => void }[])
    ])
    for (const item of items) item.click?.()
    expect(sent.sort()).toEqual(['export-gif', 'import-folder', 'preferences'])
  })
})
