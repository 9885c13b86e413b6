// A half-installed native engine, on damaged copies of the set-up @tensorflow/tfjs-node in a temp folder (the real
// package is only read): each must be refused with its reason in plain words, and none may take this process down.
import {
  closeSync,
  cpSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync
} from 'node:fs'
import { rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { probeTensorflow, truncation } from '../../src/main/backends/tensorflow-probe'

const real = probeTensorflow()
if (!real.ok)
  console.warn(`tensorflow backend tests SKIPPED: ${real.reason} (npm run setup:tensorflow sets it up)`)

const CC = 'libtensorflow_cc.so.2'
const FW = 'libtensorflow_framework.so.2'

describe.skipIf(!real.ok)('a damaged tfjs-node is refused in plain words', () => {
  const pkg = real.ok ? real.packageDir : ''
  const nodePath = dirname(dirname(pkg)) // the node_modules that holds @tensorflow/tfjs for the copies
  const libDir = join(pkg, 'deps', 'lib')
  const binding = join(pkg, 'lib', 'napi-v8', 'tfjs_binding.node')
  const watched = [binding, join(libDir, CC), join(libDir, FW)]
  const fingerprint = () => watched.map((f) => `${f}:${statSync(f).size}:${statSync(f).mtimeMs}`)
  let before: string[]
  let root: string
  let n = 0

  beforeAll(() => {
    before = fingerprint()
    root = mkdtempSync(join(tmpdir(), 'aestudio-tf-broken-'))
  })
  afterAll(() => {
    rmSync(root, { recursive: true, force: true })
    // The real package is untouched: same sizes and times after every damaged copy was made and probed.
    expect(fingerprint()).toEqual(before)
  })

  /** A copy of the package (its JavaScript copied, native files linked) for `damage` to break. */
  function copy(damage: (dir: string) => void): string {
    const dir = join(root, String(n++), 'node_modules', '@tensorflow', 'tfjs-node')
    mkdirSync(join(dir, 'deps', 'lib'), { recursive: true })
    mkdirSync(join(dir, 'lib', 'napi-v8'), { recursive: true })
    cpSync(join(pkg, 'package.json'), join(dir, 'package.json'))
    // Copied, not linked: Node resolves a linked file to its real path, which would load the real binding.
    cpSync(join(pkg, 'dist'), join(dir, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.d.ts') })
    cpSync(binding, join(dir, 'lib', 'napi-v8', 'tfjs_binding.node'))
    for (const f of [CC, FW]) {
      const [from, to] = [join(libDir, f), join(dir, 'deps', 'lib', f)]
      try {
        linkSync(from, to)
      } catch {
        symlinkSync(from, to) // another disk: a link by name loads the same
      }
    }
    damage(dir)
    return dir
  }
  /** A new file holding the first `bytes` of `from` (never a truncate of a link to the real file). */
  const head = (from: string, to: string, bytes: number) => {
    rmSync(to, { force: true })
    const data = Buffer.alloc(bytes)
    const fd = openSync(from, 'r')
    readSync(fd, data, 0, bytes, 0)
    closeSync(fd)
    writeFileSync(to, data)
  }
  const probe = (dir: string, precheck = true) => probeTensorflow({ packageDir: dir, nodePath, precheck })

  it('an intact copy loads (so the failures below are the damage, not the copying)', () => {
    const r = probe(copy(() => {}))
    expect(r).toMatchObject({ ok: true, tfVersion: real.ok ? real.tfVersion : '' })
  })

  it('binding present, TensorFlow library missing: names the missing library', () => {
    const r = probe(copy((d) => rmSync(join(d, 'deps', 'lib', CC))))
    expect(r).toEqual({
      ok: false,
      reason: `its TensorFlow library ${CC} is missing from its deps/lib folder (run npm run setup:tensorflow)`
    })
  })

  it('only the framework library missing: names that one', () => {
    const r = probe(copy((d) => rmSync(join(d, 'deps', 'lib', FW))))
    expect(r.ok).toBe(false)
    expect(!r.ok && r.reason).toContain(`its TensorFlow library ${FW} is missing`)
  })

  it('a library of the wrong kind (lacking the C API): names a missing function instead of killing Node', () => {
    // libtensorflow_framework.so.2 in the place of libtensorflow_cc.so.2: a real TensorFlow library, but one
    // without TF_/TFE_ functions. Loaded lazily it kills Node at the binding's first call ("symbol lookup error").
    const r = probe(
      copy((d) => {
        rmSync(join(d, 'deps', 'lib', CC))
        symlinkSync(join(libDir, FW), join(d, 'deps', 'lib', CC))
      })
    )
    expect(r.ok).toBe(false)
    expect(!r.ok && r.reason).toMatch(
      /^its TensorFlow library is not one the binding was built against: it lacks TFE?_\w+ \(rebuild/
    )
  })

  it('a truncated library: its length against the length its headers give', () => {
    const r = probe(copy((d) => head(join(libDir, FW), join(d, 'deps', 'lib', FW), 1 << 20)))
    expect(r).toEqual({
      ok: false,
      reason:
        `${FW} is cut short (1048576 of ${statSync(join(libDir, FW)).size} bytes): an interrupted copy or ` +
        'download; reinstall @tensorflow/tfjs-node, or run npm run setup:tensorflow'
    })
  })

  it('a truncated binding crashes a child with SIGBUS, not this process', () => {
    const dir = copy((d) => head(binding, join(d, 'lib', 'napi-v8', 'tfjs_binding.node'), 40_000))
    expect(truncation(join(dir, 'lib', 'napi-v8', 'tfjs_binding.node'))).toMatch(
      /^tfjs_binding.node is cut short/
    )
    const r = probe(dir, false)
    expect(r).toEqual({
      ok: false,
      reason:
        'loading it crashed Node with SIGBUS: a library or binding file is cut short (reinstall ' +
        '@tensorflow/tfjs-node, or run npm run setup:tensorflow)'
    })
  })

  it('a binding with its code zeroed crashes a child (SIGSEGV or SIGILL), reported as damaged', () => {
    const dir = copy((d) => {
      const f = join(d, 'lib', 'napi-v8', 'tfjs_binding.node')
      const { offset, size } = textSection(readFileSync(f))
      const fd = openSync(f, 'r+')
      writeSync(fd, Buffer.alloc(size), 0, size, offset)
      closeSync(fd)
    })
    const r = probe(dir)
    expect(r.ok).toBe(false)
    expect(!r.ok && r.reason).toMatch(
      /^loading it crashed Node with SIG(SEGV|ILL): its native files are damaged/
    )
  })

  it('no binding at all (npm ran without the install script): says it was never built', () => {
    const r = probe(copy((d) => rmSync(join(d, 'lib'), { recursive: true })))
    expect(r).toEqual({
      ok: false,
      reason:
        'its native binding (tfjs_binding.node) was never built: npm installed the package without running ' +
        'its install script (run npm run setup:tensorflow)'
    })
  })
})

/** Offset and size of .text in a 64-bit little-endian ELF file. */
function textSection(elf: Buffer): { offset: number; size: number } {
  const shoff = Number(elf.readBigUInt64LE(40))
  const shentsize = elf.readUInt16LE(58)
  const shnum = elf.readUInt16LE(60)
  const strtab = shoff + elf.readUInt16LE(62) * shentsize
  const names = Number(elf.readBigUInt64LE(strtab + 24))
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize
    const nameAt = names + elf.readUInt32LE(at)
    if (elf.toString('latin1', nameAt, nameAt + 6) === '.text\0')
      return { offset: Number(elf.readBigUInt64LE(at + 24)), size: Number(elf.readBigUInt64LE(at + 32)) }
  }
  throw new Error('no .text section')
}
