import type * as v from 'valibot'

/** A small seeded PRNG (mulberry32) so a failing fuzz case can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const STRINGS = [
  '',
  ' ',
  'a',
  '0',
  '-1',
  'NaN',
  'true',
  'null',
  '../../../etc/passwd',
  'C:\\Windows\\win.ini',
  '<img src=x onerror=alert(1)>',
  "'; DROP TABLE runs; --",
  '\u0000',
  '\ud800',
  '😀'.repeat(50),
  'x'.repeat(70_000),
  '__proto__',
  'constructor'
]
const NUMBERS = [0, -0, -1, 1, 0.5, -1e9, 1e308, Number.MAX_SAFE_INTEGER + 2, Number.NaN, Infinity, -Infinity]

/** The keys a schema expects, when it describes an object (through optional and pipe wrappers). */
function keysOf(schema: v.GenericSchema): string[] {
  const s = schema as unknown as {
    type: string
    wrapped?: v.GenericSchema
    entries?: Record<string, unknown>
  }
  if (s.type === 'optional' || s.type === 'nullable' || s.type === 'nullish')
    return s.wrapped ? keysOf(s.wrapped) : []
  return s.entries ? Object.keys(s.entries) : []
}

/** One arbitrary value, nested up to `depth`. */
function junk(r: () => number, depth: number, keys: string[]): unknown {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]
  switch (Math.floor(r() * (depth > 0 ? 9 : 6))) {
    case 0:
      return pick([undefined, null, true, false])
    case 1:
      return pick(NUMBERS)
    case 2:
      return Math.floor((r() - 0.5) * 2 ** (1 + Math.floor(r() * 40)))
    case 3:
      return pick(STRINGS)
    case 4:
      return String.fromCharCode(
        ...Array.from({ length: 1 + Math.floor(r() * 12) }, () => Math.floor(r() * 0xffff))
      )
    case 5:
      return r() < 0.5 ? [] : {}
    case 6:
      return Array.from({ length: 1 + Math.floor(r() * 4) }, () => junk(r, depth - 1, keys))
    default: {
      // Objects shaped like the real input (its own keys, wrong values), plus stray and prototype keys.
      const out: Record<string, unknown> = {}
      for (const k of keys) if (r() < 0.8) out[k] = junk(r, depth - 1, [])
      if (r() < 0.4)
        out[pick(['__proto__', 'constructor', 'prototype', 'extra', ''])] = junk(r, depth - 1, [])
      if (keys.length === 0 || r() < 0.3) out[pick(['a', 'id', 'path', 'name'])] = junk(r, depth - 1, [])
      return JSON.parse(JSON.stringify(out) ?? '{}') as unknown
    }
  }
}

/** `count` arbitrary payloads for a call with this input schema (valid ones are possible; callers filter). */
export function fuzzPayloads(schema: v.GenericSchema, count: number, seed: number): unknown[] {
  const r = rng(seed)
  const keys = keysOf(schema)
  return Array.from({ length: count }, () => junk(r, 3, keys))
}
