#!/usr/bin/env node
// better-sqlite3 is a native module, and Node and Electron need different builds of it. node_modules keeps the
// Node build (tests, CLI); this script puts an Electron build beside it in .native/electron-<version>/, which the
// app loads through better-sqlite3's `nativeBinding` option. Both coexist, so `npm start` and `npm test` work in
// either order. It first tries the prebuilt binary, then compiles against Electron's headers.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const electronVersion = require('electron/package.json').version
const target = join(root, '.native', `electron-${electronVersion}`, 'better_sqlite3.node')

if (existsSync(target)) process.exit(0)

const source = dirname(require.resolve('better-sqlite3/package.json'))
const work = mkdtempSync(join(tmpdir(), 'aestudio-native-'))
cpSync(source, work, { recursive: true, filter: (p) => !p.includes(`${join(source, 'build')}`) })
const bin = (name) => join(root, 'node_modules', '.bin', name)
const attempts = [
  [bin('prebuild-install'), ['--runtime=electron', `--target=${electronVersion}`, `--arch=${process.arch}`]],
  [
    bin('node-gyp'),
    [
      'rebuild',
      '--release',
      '--runtime=electron',
      `--target=${electronVersion}`,
      '--dist-url=https://electronjs.org/headers'
    ]
  ]
]
let built = false
for (const [cmd, args] of attempts) {
  try {
    execFileSync(cmd, args, { cwd: work, stdio: 'inherit' })
    built = existsSync(join(work, 'build', 'Release', 'better_sqlite3.node'))
    if (built) break
  } catch {
    console.warn(`electron-native: ${cmd.split(/[\\/]/).pop()} did not produce a build, trying the next way`)
  }
}
if (!built) {
  rmSync(work, { recursive: true, force: true })
  console.error(`electron-native: could not get better-sqlite3 for Electron ${electronVersion} (offline?).`)
  process.exit(1)
}
mkdirSync(dirname(target), { recursive: true })
cpSync(join(work, 'build', 'Release', 'better_sqlite3.node'), target)
rmSync(work, { recursive: true, force: true })
console.log(`electron-native: better-sqlite3 for Electron ${electronVersion} → ${target}`)
