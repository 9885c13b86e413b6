/**
 * Measures the face pipeline on face-api's sample photos, to choose its settings by numbers:
 *   npx tsx scripts/faces-measure.ts [--backend wasm|cpu|tensorflow] [--rounds 2] [--only detectors,...]
 * Sections: detectors (recall, false positives, faces/s), landmarks (68 vs tiny, refine on/off: level and
 * placement of the eyes re-found on the crops, agreement under a 20° turn), small (landmark error when the
 * photo is shrunk until the eyes are N px apart), framing (where eyes sit in detector boxes), expressions
 * (smiles called on box vs level patches). Timings: rounds alternate the settings (A, B, A, B) and report
 * the median and range, as this machine is shared.
 */
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import sharp from 'sharp'
import {
  detectFaces,
  framingTransform,
  landmarksIn,
  PATCH,
  type FoundFace
} from '../src/main/imaging/faces/detect'
import {
  eyeCentres,
  eyeDistance,
  eyeTargets,
  rollDegrees,
  type Box,
  type Eyes
} from '../src/main/imaging/faces/geometry'
import { findFaces } from '../src/main/imaging/faces/index'
import { loadFaceModels, type DetectorName, type FaceModels } from '../src/main/imaging/faces/models'
import { decodeUpright } from '../src/main/imaging/decode'
import { shrink } from '../src/main/imaging/faces/source'
import type { RawImage } from '../src/main/imaging/faces/warp'
import { initBackend } from '../src/main/backends/activate'
import { SAMPLE_FACES, SAMPLES, samplePath, type SampleFace } from '../test/helpers/face-samples'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : fallback
}
const backend = arg('backend', 'wasm') as 'wasm' | 'cpu' | 'tensorflow'
const rounds = Number(arg('rounds', '2'))
const only = new Set(arg('only', 'detectors,landmarks,small,framing,expressions').split(','))

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const fmt = (x: number, d = 1) => x.toFixed(d)
const range = (xs: number[], d = 1) =>
  `${fmt(median(xs), d)} (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})`

const files = SAMPLES.map((n) => readFileSync(samplePath(n)))
const decoded: RawImage[] = []
for (const f of files) decoded.push(await decodeUpright(f))
const truthCount = SAMPLES.reduce((n, s) => n + SAMPLE_FACES[s].length, 0)

const inside = (b: Box, [x, y]: [number, number]) =>
  x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height

/** Detections matched to the faces counted by eye: a detection whose box holds a face's eye midpoint. */
function match(found: FoundFace[], truth: SampleFace[]) {
  const used = new Set<number>()
  let fp = 0
  const byTruth = new Map<number, FoundFace>()
  for (const f of found) {
    const t = truth.findIndex((g, i) => !used.has(i) && inside(f.box, g.mid))
    if (t < 0) fp++
    else {
      used.add(t)
      byTruth.set(t, f)
    }
  }
  return { tp: used.size, fp, byTruth }
}

const { name, notes } = await initBackend(backend)
console.log(
  `# faces-measure on ${name} (${notes.join('; ') || 'no notes'}), ${truthCount} faces counted by eye`
)
console.log(
  `load: ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`
)

const modelCache = new Map<string, FaceModels>()
async function models(detector: DetectorName, tinyLandmarks = false) {
  const key = `${detector}/${tinyLandmarks}`
  let m = modelCache.get(key)
  if (!m) {
    const t = performance.now()
    m = await loadFaceModels({ detector, tinyLandmarks })
    console.log(`loaded ${key} in ${fmt(performance.now() - t, 0)} ms`)
    modelCache.set(key, m)
  }
  return m
}

// ---- detectors: recall, false positives, speed of the whole findFaces (decode, detect, landmarks, crop) ----
if (only.has('detectors')) {
  const settings: { detector: DetectorName; threshold: number; inputSize: number }[] = [
    ...[320, 416, 512, 608].flatMap((inputSize) =>
      [0.3, 0.5].map((threshold) => ({ detector: 'tiny' as const, threshold, inputSize }))
    ),
    ...[0.3, 0.5, 0.7].map((threshold) => ({ detector: 'ssd' as const, threshold, inputSize: 512 }))
  ]
  const times = new Map<number, number[]>()
  const quality = new Map<number, { tp: number; fp: number; perPhoto: string }>()
  for (let r = 0; r < rounds; r++)
    for (const [i, s] of settings.entries()) {
      const m = await models(s.detector)
      const opts = { threshold: s.threshold, inputSize: s.inputSize }
      if (r === 0) {
        // Quality from the detections (a profile, which gives no crop, still counts as found).
        let tp = 0
        let fp = 0
        const perPhoto: string[] = []
        for (const [k, n] of SAMPLES.entries()) {
          const q = match(await detectFaces(m, decoded[k], { ...opts, refine: false }), SAMPLE_FACES[n])
          tp += q.tp
          fp += q.fp
          perPhoto.push(`${q.tp}${q.fp ? `+${q.fp}` : ''}`)
        }
        quality.set(i, { tp, fp, perPhoto: perPhoto.join(' ') })
      }
      let faces = 0
      const t = performance.now()
      for (const f of files)
        faces += (await findFaces(m, f, { size: 64, channels: 3, perImage: 'all', ...opts })).crops.length
      const list = times.get(i) ?? []
      list.push(faces / ((performance.now() - t) / 1000))
      times.set(i, list)
    }
  console.log('\n## detectors (findFaces, all faces, 64-px crops, from the JPEG bytes)')
  console.log(
    'detector | threshold | input | recall | false pos. | per photo (found+false) | faces/s median (range)'
  )
  for (const [i, s] of settings.entries()) {
    const q = quality.get(i)!
    console.log(
      `${s.detector} | ${s.threshold} | ${s.detector === 'ssd' ? 512 : s.inputSize} | ${q.tp}/${truthCount} | ${q.fp} | ${q.perPhoto} | ${range(times.get(i)!)}`
    )
  }
}

/** Eyes found again on a crop (the crop shrunk to the landmark net's 112 px): roll and offset from the targets. */
async function recheck(m: FaceModels, pixels: Uint8Array, size: number, margin: number) {
  const crop: RawImage = { data: pixels, width: size, height: size, channels: 3 }
  const [l] = await landmarksIn(m, crop, [{ a: PATCH / size, b: 0, tx: 0, ty: 0 }], false)
  const eyes = eyeCentres(l.landmarks)
  const t = eyeTargets(margin)
  const off = Math.max(
    Math.hypot(eyes.left.x - t.left.x * size, eyes.left.y - t.left.y * size),
    Math.hypot(eyes.right.x - t.right.x * size, eyes.right.y - t.right.y * size)
  )
  return { roll: Math.abs(rollDegrees(eyes)), off }
}

/** A photo turned by `deg` (clockwise) about its centre onto a larger canvas, and where a source point lands. */
async function turned(src: RawImage, deg: number) {
  const { data, info } = await sharp(src.data, { raw: { width: src.width, height: src.height, channels: 3 } })
    .rotate(deg, { background: '#fff' })
    .raw()
    .toBuffer({ resolveWithObject: true })
  const th = (deg * Math.PI) / 180
  const map = (x: number, y: number) => {
    const dx = x - src.width / 2
    const dy = y - src.height / 2
    return {
      x: info.width / 2 + Math.cos(th) * dx - Math.sin(th) * dy,
      y: info.height / 2 + Math.sin(th) * dx + Math.cos(th) * dy
    }
  }
  const image: RawImage = { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 }
  return { image, map }
}

const eyeError = (a: Eyes, b: Eyes) =>
  Math.max(
    Math.hypot(a.left.x - b.left.x, a.left.y - b.left.y),
    Math.hypot(a.right.x - b.right.x, a.right.y - b.right.y)
  )

// ---- landmarks: 68 vs tiny, refine on/off ----
if (only.has('landmarks')) {
  console.log('\n## landmarks (ssd 0.5; crops 128 px at margin 1; eyes re-found on each crop)')
  console.log(
    'landmarks | refine | crops | roll on crop, median / max (°) | eye offset on crop, median / max (px) | 20° turn: eye drift / eye distance, median / max | ms per photo'
  )
  for (const tiny of [false, true])
    for (const refine of [true, false]) {
      const m = await models('ssd', tiny)
      const rolls: number[] = []
      const offs: number[] = []
      const drift: number[] = []
      const ms: number[] = []
      for (const [k] of SAMPLES.entries()) {
        const t = performance.now()
        const res = await findFaces(m, decoded[k], { size: 128, channels: 3, perImage: 'all', refine })
        ms.push(performance.now() - t)
        for (const c of res.crops) {
          const r = await recheck(m, c.pixels, 128, 1)
          rolls.push(r.roll)
          offs.push(r.off)
        }
        const { image, map } = await turned(decoded[k], 20)
        const rot = await findFaces(m, image, { size: 128, channels: 3, perImage: 'all', refine })
        for (const c of res.crops) {
          const want: Eyes = {
            left: map(c.eyes.left.x, c.eyes.left.y),
            right: map(c.eyes.right.x, c.eyes.right.y)
          }
          const mid = { x: (want.left.x + want.right.x) / 2, y: (want.left.y + want.right.y) / 2 }
          const got = rot.crops.find((r) => inside(r.box, [mid.x, mid.y]))
          if (got) drift.push(eyeError(got.eyes, want) / c.eyeDistance)
          else drift.push(Number.NaN)
        }
      }
      const lost = drift.filter((d) => Number.isNaN(d)).length
      const kept = drift.filter((d) => !Number.isNaN(d))
      console.log(
        `${tiny ? '68_tiny' : '68'} | ${refine ? 'on' : 'off'} | ${rolls.length} | ${fmt(median(rolls))} / ${fmt(Math.max(...rolls))} | ${fmt(median(offs))} / ${fmt(Math.max(...offs))} | ${fmt(median(kept), 3)} / ${fmt(Math.max(...kept), 3)}${lost ? ` (${lost} not found turned)` : ''} | ${fmt(median(ms), 0)}`
      )
    }
}

// ---- small faces: shrink the photos until the eyes are N px apart ----
if (only.has('small')) {
  const m = await models('ssd')
  console.log(
    '\n## small faces (ssd 0.3, 68 + refine): photos shrunk so the median face has N px between the eyes'
  )
  console.log(
    'eye distance | found / frontal faces | eye error / eye distance, median / max | roll error (°), median / max'
  )
  const full = await Promise.all(decoded.map((d) => detectFaces(m, d, { threshold: 0.5, inputSize: 512 })))
  for (const target of [48, 32, 24, 16, 12, 8]) {
    let found = 0
    let total = 0
    const errs: number[] = []
    const rollErr: number[] = []
    for (const [k] of SAMPLES.entries()) {
      const ref = full[k].filter((f) => !f.profile)
      const k0 = target / median(ref.map((f) => eyeDistance(f.eyes)))
      const small = await shrink(decoded[k], Math.round(Math.max(decoded[k].width, decoded[k].height) * k0))
      const sx = small.width / decoded[k].width
      const got = await detectFaces(m, small, { threshold: 0.3, inputSize: 512 })
      for (const f of ref) {
        total++
        const mid = {
          x: ((f.eyes.left.x + f.eyes.right.x) / 2) * sx,
          y: ((f.eyes.left.y + f.eyes.right.y) / 2) * sx
        }
        const g = got.find((d) => inside(d.box, [mid.x, mid.y]))
        if (!g) continue
        found++
        const scaled: Eyes = {
          left: { x: f.eyes.left.x * sx, y: f.eyes.left.y * sx },
          right: { x: f.eyes.right.x * sx, y: f.eyes.right.y * sx }
        }
        errs.push(eyeError(g.eyes, scaled) / eyeDistance(scaled))
        rollErr.push(Math.abs(rollDegrees(g.eyes) - rollDegrees(f.eyes)))
      }
    }
    console.log(
      `${target} px | ${found}/${total} | ${fmt(median(errs), 3)} / ${fmt(Math.max(...errs), 3)} | ${fmt(median(rollErr))} / ${fmt(Math.max(...rollErr))}`
    )
  }
}

// ---- framing: where the eyes sit in the ssd's square boxes ----
if (only.has('framing')) {
  const m = await models('ssd')
  const share: number[] = []
  const down: number[] = []
  for (const d of decoded)
    for (const f of await detectFaces(m, d, { threshold: 0.5, inputSize: 512 })) {
      if (f.profile) continue
      const side = Math.max(f.box.width, f.box.height)
      const top = f.box.y + f.box.height / 2 - side / 2
      share.push(eyeDistance(f.eyes) / side)
      down.push(((f.eyes.left.y + f.eyes.right.y) / 2 - top) / side)
    }
  console.log('\n## framing in ssd boxes (frontal faces)')
  console.log(
    `eye distance / box side: median ${range(share, 3)}; eye midpoint down the box: median ${range(down, 3)}`
  )
}

// ---- expressions: box patch vs level patch, against the smiles called by eye ----
if (only.has('expressions')) {
  const m = await models('ssd')
  console.log('\n## expressions: happy ≥ 0.5 vs smiles called by eye (yes / no / unsure)')
  const tally = { box: { yes: 0, no: 0 }, level: { yes: 0, no: 0 } }
  let yes = 0
  let no = 0
  for (const [k, n] of SAMPLES.entries()) {
    const found = await detectFaces(m, decoded[k], { threshold: 0.5, inputSize: 512 })
    const { byTruth } = match(found, SAMPLE_FACES[n])
    for (const [t, f] of byTruth) {
      const label = SAMPLE_FACES[n][t].smile
      if (f.profile || label === 'unsure') continue
      const box = f.expressions.happy
      const [lvl] = await landmarksIn(m, decoded[k], [framingTransform(f.eyes)], true)
      const level = lvl.expressions!.happy
      if (label === 'yes') yes++
      else no++
      tally.box[label] += box >= 0.5 === (label === 'yes') ? 1 : 0
      tally.level[label] += level >= 0.5 === (label === 'yes') ? 1 : 0
      console.log(
        `sample${n} face ${t + 1}: by eye ${label}; happy on box ${fmt(box, 2)}, on level patch ${fmt(level, 2)}`
      )
    }
  }
  console.log(`box patch: ${tally.box.yes}/${yes} smiles and ${tally.box.no}/${no} non-smiles right`)
  console.log(`level patch: ${tally.level.yes}/${yes} smiles and ${tally.level.no}/${no} non-smiles right`)
}

for (const m of modelCache.values()) m.dispose()
