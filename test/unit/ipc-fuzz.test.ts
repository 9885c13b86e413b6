import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { calls, type CallName } from '../../src/shared/contract/index'
import { createHandlers } from '../../src/main/handlers/index'
import { dispatch, type Handlers } from '../../src/main/rpc/dispatch'
import { EventHub } from '../../src/main/rpc/events'
import { openStudio } from '../../src/main/services/studio'
import { fuzzPayloads } from '../helpers/fuzz-payloads'
import { tempDir } from '../helpers/tmp'

/** Malformed payloads per call, drawn from a larger pool (some random payloads happen to be valid). */
const PER_CALL = 250

describe('dispatch under malformed payloads', () => {
  it('rejects every malformed payload to every call with a validation error, and keeps working', async () => {
    const studio = openStudio({ home: tempDir() })
    const real = createHandlers({ studio, events: new EventHub() })
    const ran: string[] = []
    const handlers = Object.fromEntries(
      Object.entries(real).map(([name, fn]) => [
        name,
        (i: unknown) => (ran.push(name), (fn as (x: unknown) => unknown)(i))
      ])
    ) as unknown as Handlers

    let total = 0
    for (const [index, name] of (Object.keys(calls) as CallName[]).entries()) {
      const malformed = fuzzPayloads(calls[name].input, PER_CALL * 4, 1000 + index)
        .filter((p) => !v.safeParse(calls[name].input, p).success)
        .slice(0, PER_CALL)
      expect(malformed.length, name).toBe(PER_CALL)
      for (const [i, payload] of malformed.entries()) {
        const r = await dispatch(handlers, name, payload)
        if (r.ok || r.error.code !== 'validation' || !r.error.issues?.length)
          throw new Error(
            `${name} accepted or mishandled ${JSON.stringify(payload)?.slice(0, 200)}: ${JSON.stringify(r)}`
          )
        expect(r.error.message).toMatch(new RegExp(`^Invalid input for ${name.replace('.', '\\.')}: `))
        if (i % 50 === 0) expect(await dispatch(handlers, 'app.info', undefined)).toMatchObject({ ok: true })
      }
      total += malformed.length
    }
    // Only the health checks ran: no malformed payload reached a handler.
    expect(new Set(ran)).toEqual(new Set(['app.info']))
    expect(total).toBe(PER_CALL * Object.keys(calls).length)
    studio.close()
  })
})
