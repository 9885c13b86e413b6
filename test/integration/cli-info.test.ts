import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { latestVersion } from '../../src/main/store/migrations/index'
import { aestudio } from '../helpers/cli'
import { tempDir } from '../helpers/tmp'

describe('aestudio info', () => {
  it('prints the data directory and the backends it could load as JSON', () => {
    const home = tempDir()
    const r = aestudio(['info', '--json'], home)
    expect(r.status, r.stderr).toBe(0)
    const info = JSON.parse(r.stdout)
    expect(info.dataDir).toBe(home)
    expect(info.schemaVersion).toBe(latestVersion())
    expect(existsSync(join(home, 'studio.db'))).toBe(true)
    const byName = Object.fromEntries(info.backends.map((b: { name: string }) => [b.name, b]))
    expect(Object.keys(byName)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'])
    expect(byName.wasm.available).toBe(true)
    expect(byName.cpu.available).toBe(true)
  })

  it('lists commands with --help and rejects unknown ones with exit code 2', () => {
    const home = tempDir()
    const help = aestudio(['--help'], home)
    expect(help.status).toBe(0)
    expect(help.stdout).toMatch(/Usage: aestudio <command>/)
    expect(help.stdout).toMatch(/info/)
    const bad = aestudio(['frobnicate'], home)
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/Unknown command "frobnicate"/)
    const badFlag = aestudio(['info', '--nope'], home)
    expect(badFlag.status).toBe(2)
    expect(badFlag.stderr).toMatch(/Unknown option '--nope'/)
  })

  it('refuses a database from a newer version with a clear message', async () => {
    const home = tempDir()
    expect(aestudio(['info'], home).status).toBe(0)
    const { openDatabase } = await import('../../src/main/store/index')
    const db = openDatabase(join(home, 'studio.db'))
    db.pragma('user_version = 42')
    db.close()
    const r = aestudio(['info'], home)
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/written by a newer version/)
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/)
  })
})
