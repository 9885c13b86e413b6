import * as v from 'valibot'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { calls, events as contractEvents, type CallResult } from '../../src/shared/contract/index'
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../src/shared/ipc-channels'
import { createHandlers } from '../../src/main/handlers/index'
import type { Handlers } from '../../src/main/rpc/dispatch'
import { EventHub } from '../../src/main/rpc/events'
import { openStudio } from '../../src/main/services/studio'
import { tempDir } from '../helpers/tmp'

type Invoke = (
  event: { senderFrame: { url: string } | null },
  name: unknown,
  input: unknown
) => Promise<CallResult<unknown>>

// A stand-in for Electron's main-process modules: records what registerIpc installs.
const electron = vi.hoisted(() => ({
  handlers: new Map<string, unknown>(),
  windows: [] as {
    webContents: { getURL(): string; isDestroyed(): boolean; send: (...a: unknown[]) => void }
  }[]
}))
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: unknown) => electron.handlers.set(channel, fn),
    removeHandler: (channel: string) => electron.handlers.delete(channel)
  },
  BrowserWindow: { getAllWindows: () => electron.windows }
}))

const { registerIpc } = await import('../../src/main/ipc/register')

const JUNK: unknown[] = [Number.NaN, 'junk', -1, true, [Number.NaN], { junk: true }]
const APP_FRAME = { senderFrame: { url: 'app://studio/index.html' } }

function setup() {
  const studio = openStudio({ home: tempDir() })
  const hub = new EventHub()
  const real = createHandlers({ studio, events: hub })
  const seen: string[] = []
  // Every handler records that it ran, then does its real work.
  const handlers = Object.fromEntries(
    Object.entries(real).map(([name, fn]) => [
      name,
      (input: unknown) => {
        seen.push(name)
        return (fn as (i: unknown) => unknown)(input)
      }
    ])
  ) as unknown as Handlers
  const dispose = registerIpc(handlers, hub)
  const invoke = electron.handlers.get(CALL_CHANNEL) as Invoke
  return { studio, hub, seen, invoke, dispose }
}

beforeEach(() => {
  electron.handlers.clear()
  electron.windows = []
})

describe('IPC registration', () => {
  it('has a handler for every contract call and nothing else', () => {
    const { studio } = setup()
    const handlers = createHandlers({ studio, events: new EventHub() })
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(calls).sort())
    for (const fn of Object.values(handlers)) expect(typeof fn).toBe('function')
    studio.close()
  })

  it('routes every contract call through the one channel and validates its payload', async () => {
    const { studio, invoke, seen } = setup()
    expect(electron.handlers.size).toBe(1)
    for (const name of Object.keys(calls)) {
      // A value this call's schema refuses: the call is known (not "Unknown call") and the payload rejected.
      const junk = JUNK.find((j) => !v.safeParse(calls[name as keyof typeof calls].input, j).success)
      expect(junk, `${name} accepts anything`).not.toBeUndefined()
      const r = await invoke(APP_FRAME, name, junk)
      expect(r.ok, name).toBe(false)
      if (!r.ok) {
        expect(r.error.code).toBe('validation')
        expect(r.error.message).toContain(`Invalid input for ${name}`)
      }
    }
    expect(seen).toEqual([])
    const info = await invoke(APP_FRAME, 'app.info', undefined)
    expect(info).toMatchObject({
      ok: true,
      value: { name: 'Autoencoder Studio', dataDir: studio.paths.home }
    })
    studio.close()
  })

  it('answers unknown calls with a readable error', async () => {
    const { studio, invoke } = setup()
    for (const name of ['nope', 'constructor', '__proto__', 'toString', 42, null, { a: 1 }]) {
      const r = await invoke(APP_FRAME, name, undefined)
      expect(r).toMatchObject({
        ok: false,
        error: { code: 'validation', message: expect.stringMatching(/Unknown call/) }
      })
    }
    studio.close()
  })

  it('refuses callers that are not the app, before anything runs', async () => {
    const { studio, invoke, seen } = setup()
    for (const senderFrame of [
      { url: 'https://evil.example/' },
      { url: 'file:///home/me/out/renderer/index.html' },
      { url: 'app://other/index.html' },
      { url: 'about:blank' },
      { url: '' },
      null
    ]) {
      const r = await invoke({ senderFrame }, 'app.info', undefined)
      expect(r).toEqual({
        ok: false,
        error: { code: 'validation', message: 'Refused: the caller is not the app.' }
      })
    }
    expect(seen).toEqual([])
    studio.close()
  })

  it('turns service failures into typed errors', async () => {
    const { studio, invoke } = setup()
    const r = await invoke(APP_FRAME, 'dialog.openFolder', undefined)
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'unavailable', message: expect.stringMatching(/desktop app/) }
    })
    studio.close()
  })

  it('pushes contract events to app windows only, and stops when disposed', () => {
    const { studio, hub, dispose } = setup()
    const sent = { app: [] as unknown[][], foreign: [] as unknown[][] }
    const win = (url: string, log: unknown[][]) => ({
      webContents: { getURL: () => url, isDestroyed: () => false, send: (...a: unknown[]) => log.push(a) }
    })
    electron.windows = [win('app://studio/index.html', sent.app), win('https://evil.example/', sent.foreign)]
    expect(Object.keys(contractEvents)).toContain('menu.command')
    hub.emit('menu.command', { command: 'export-gif' })
    expect(sent.app).toEqual([[EVENT_CHANNEL, 'menu.command', { command: 'export-gif' }]])
    expect(sent.foreign).toEqual([])
    dispose()
    hub.emit('menu.command', { command: 'preferences' })
    expect(sent.app).toHaveLength(1)
    expect(electron.handlers.has(CALL_CHANNEL)).toBe(false)
    studio.close()
  })
})
