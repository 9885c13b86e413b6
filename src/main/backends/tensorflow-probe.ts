import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  statSync
} from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, join } from 'node:path'

const require = createRequire(import.meta.url)

export type TensorflowProbe =
  | { ok: true; tfVersion: string; onednn: boolean; gpu: boolean; packageDir: string }
  | { ok: false; reason: string }

export interface ProbeOptions {
  /** The package to load: @tensorflow/tfjs-node (default) or @tensorflow/tfjs-node-gpu, or a directory. */
  packageDir?: string
  /** Where the package's own dependencies (@tensorflow/tfjs, @mapbox/node-pre-gyp) are, when not above it. */
  nodePath?: string
  timeoutMs?: number
  /** Check the native files' lengths before starting the child (default true; off to see what the child does). */
  precheck?: boolean
}

/**
 * Run in a child Node: loads the package, runs a convolution and its gradient (the kernels a training step needs),
 * checks the numbers and prints one JSON line. Its TensorFlow log goes to stderr.
 */
export const PROBE_SCRIPT = `
const out = (o) => process.stdout.write('\\n' + JSON.stringify(o) + '\\n')
try {
  const tf = require(process.argv[1])
  if (tf.getBackend() !== 'tensorflow') throw new Error('the backend came up as ' + tf.getBackend())
  const x = tf.ones([1, 4, 4, 1])
  const g = tf.grad((w) => tf.sum(tf.relu(tf.conv2d(x, w, 1, 'same'))))(tf.ones([3, 3, 1, 1])).dataSync()
  // Each tap of a 3x3 filter over a 4x4 image with same padding meets 9 (corner), 12 (edge) or 16 pixels.
  if (g[0] !== 9 || g[1] !== 12 || g[4] !== 16) throw new Error('a convolution gradient came out wrong: ' + g)
  const b = tf.backend()
  out({ ok: true, tfVersion: b.binding.TF_Version, gpu: Boolean(b.isUsingGpuDevice) })
} catch (e) {
  out({ ok: false, message: String((e && e.message) || e) })
}
`

const cache = new Map<string, TensorflowProbe>()

/**
 * Whether tfjs-node loads here, found out in a child process first: a half-installed native engine does not
 * always throw. A binding whose TensorFlow library lacks a function kills Node at the first call ("symbol lookup
 * error", exit 127), a truncated library or binding kills it with SIGBUS when the missing pages are touched, and a
 * damaged one with SIGSEGV. The child binds every symbol at load (LD_BIND_NOW), so a library of the wrong version
 * fails with the missing function's name. The result is kept for the process's lifetime.
 */
export function probeTensorflow(options: ProbeOptions = {}): TensorflowProbe {
  let packageDir: string
  try {
    packageDir = options.packageDir ?? dirname(require.resolve('@tensorflow/tfjs-node/package.json'))
  } catch {
    return {
      ok: false,
      reason: 'not installed (its install downloads libtensorflow, which was not reachable)'
    }
  }
  const key = `${packageDir}\0${options.nodePath ?? ''}\0${options.precheck ?? true}`
  const known = cache.get(key)
  if (known) return known
  const result = probeOnce(packageDir, options)
  cache.set(key, result)
  return result
}

function probeOnce(packageDir: string, options: ProbeOptions): TensorflowProbe {
  if (!existsSync(join(packageDir, 'package.json')))
    return { ok: false, reason: `${packageDir} is not a package` }
  // A file shorter than its own headers say would crash the child with SIGBUS; name it without starting one.
  const truncated =
    options.precheck === false ? undefined : nativeFiles(packageDir).map(truncation).find(Boolean)
  if (truncated) return { ok: false, reason: truncated }
  const timeoutMs = options.timeoutMs ?? 60_000
  const child = spawnSync(process.execPath, ['-e', PROBE_SCRIPT, packageDir], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 16 << 20,
    env: {
      ...process.env,
      LD_BIND_NOW: '1',
      // Under Electron the child must run as plain Node (a packaged app whose runAsNode fuse is off cannot).
      ELECTRON_RUN_AS_NODE: '1',
      ...(options.nodePath ? { NODE_PATH: options.nodePath } : {})
    }
  })
  return classify(child, packageDir, timeoutMs)
}

/** The plain-words outcome of one probe child. */
export function classify(
  child: Pick<SpawnSyncReturns<string>, 'status' | 'signal' | 'stdout' | 'stderr' | 'error'>,
  packageDir: string,
  timeoutMs: number
): TensorflowProbe {
  const stderr = child.stderr ?? ''
  if ((child.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT')
    return { ok: false, reason: `loading it did not finish within ${Math.round(timeoutMs / 1000)} s` }
  if (child.error) return { ok: false, reason: `its probe could not start: ${child.error.message}` }
  const line = (child.stdout ?? '')
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'))
  if (line && child.status === 0) {
    const r = JSON.parse(line) as { ok: boolean; message?: string; tfVersion?: string; gpu?: boolean }
    if (!r.ok) return { ok: false, reason: explainLoadError(r.message ?? '') }
    return {
      ok: true,
      tfVersion: String(r.tfVersion),
      // TensorFlow logs this line only when its oneDNN custom ops are on (TF_ENABLE_ONEDNN_OPTS, or a CPU it
      // favours, such as one with AVX-512 VNNI).
      onednn: stderr.includes('oneDNN custom operations are on'),
      gpu: Boolean(r.gpu),
      packageDir
    }
  }
  const lookup = /symbol lookup error: .*undefined symbol: (\w+)/.exec(stderr)
  if (lookup) return { ok: false, reason: wrongVersion(lookup[1]) }
  const how = child.signal ? `with ${child.signal}` : `with exit code ${child.status}`
  const damaged =
    child.signal === 'SIGBUS' ? 'a library or binding file is cut short' : 'its native files are damaged'
  return {
    ok: false,
    reason: `loading it crashed Node ${how}: ${damaged} (reinstall @tensorflow/tfjs-node, or run npm run setup:tensorflow)`
  }
}

const wrongVersion = (symbol: string) =>
  `its TensorFlow library is not one the binding was built against: it lacks ${symbol} ` +
  '(rebuild the binding, or run npm run setup:tensorflow)'

/** What a require() of tfjs-node threw, in plain words. */
export function explainLoadError(message: string): string {
  const first = message.split('\n')[0]
  if (/tfjs_binding\.node\) can not be found/.test(message))
    return 'its native binding (tfjs_binding.node) was never built: npm installed the package without running its install script (run npm run setup:tensorflow)'
  let m = /([^\s/:]+\.so[.\d]*): cannot open shared object file/.exec(message)
  if (m)
    return `its TensorFlow library ${m[1]} is missing from its deps/lib folder (run npm run setup:tensorflow)`
  m = /undefined symbol: (\w+)/.exec(message)
  if (m) return wrongVersion(m[1])
  m = /([^\s:]+): (file too short|cannot read file data|invalid ELF header|ELF load command[^:]*)/.exec(
    message
  )
  if (m) return `${basename(m[1])} is not a complete shared library (${m[2]}): it is truncated or damaged`
  if (/wrong ELF class/.test(message)) return `its native files are for another architecture: ${first}`
  if (/Cannot find (module|package)/.test(message)) return `a package it needs is missing: ${first}`
  return `failed to load: ${first}`
}

/** The binding and every library file in deps/lib (links followed, each file once). */
function nativeFiles(packageDir: string): string[] {
  const files = new Set<string>()
  const add = (p: string) => {
    try {
      if (statSync(p).isFile()) files.add(realpathSync(p))
    } catch {
      // A dangling link: the loader reports it by name.
    }
  }
  const lib = join(packageDir, 'lib')
  if (existsSync(lib))
    for (const d of readdirSync(lib)) if (/^napi-v\d+$/.test(d)) add(join(lib, d, 'tfjs_binding.node'))
  const deps = join(packageDir, 'deps', 'lib')
  if (existsSync(deps))
    for (const f of readdirSync(deps)) if (/\.(so|dylib|dll)(\.|$)/.test(f)) add(join(deps, f))
  return [...files]
}

/**
 * A plain reason when an ELF file is shorter than its headers say (an interrupted copy or download), else
 * undefined. The section header table comes last in files the linker writes, so its end is the file's length;
 * the loadable segments must fit too.
 */
export function truncation(file: string): string | undefined {
  const fd = openSync(file, 'r')
  try {
    const size = fstatSync(fd).size
    const head = Buffer.alloc(64)
    const got = readSync(fd, head, 0, 64, 0)
    if (got < 4 || head.readUInt32BE(0) !== 0x7f454c46) return undefined
    if (got < 64 || head[4] !== 2 || head[5] !== 1) return undefined // only 64-bit little-endian is checked here
    const shoff = Number(head.readBigUInt64LE(40))
    let need = shoff + head.readUInt16LE(58) * head.readUInt16LE(60)
    const phoff = Number(head.readBigUInt64LE(32))
    const phsize = head.readUInt16LE(54)
    const phnum = head.readUInt16LE(56)
    const ph = Buffer.alloc(phsize * phnum)
    if (readSync(fd, ph, 0, ph.length, phoff) === ph.length)
      for (let i = 0; i < phnum; i++) {
        const at = i * phsize
        if (ph.readUInt32LE(at) !== 1) continue // PT_LOAD
        need = Math.max(need, Number(ph.readBigUInt64LE(at + 8)) + Number(ph.readBigUInt64LE(at + 32)))
      }
    else need = Math.max(need, phoff + ph.length)
    if (size >= need) return undefined
    return `${basename(file)} is cut short (${size} of ${need} bytes): an interrupted copy or download; reinstall @tensorflow/tfjs-node, or run npm run setup:tensorflow`
  } finally {
    closeSync(fd)
  }
}
