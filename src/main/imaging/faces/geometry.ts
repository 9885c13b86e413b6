/**
 * Plane geometry of face alignment. Coordinates are continuous pixel coordinates with (0, 0) at the top-left
 * corner of the top-left pixel, so pixel (i, j) covers [i, i+1) × [j, j+1) and its centre is (i + ½, j + ½).
 */

export interface Point {
  x: number
  y: number
}

export interface Box {
  x: number
  y: number
  width: number
  height: number
}

/** Rotation, uniform scale and shift: u = [a −b; b a]·p + t. */
export interface Similarity {
  a: number
  b: number
  tx: number
  ty: number
}

export const apply = (t: Similarity, p: Point): Point => ({
  x: t.a * p.x - t.b * p.y + t.tx,
  y: t.b * p.x + t.a * p.y + t.ty
})

export function invert(t: Similarity): Similarity {
  const n = t.a * t.a + t.b * t.b
  const a = t.a / n
  const b = -t.b / n
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) }
}

/** `first`, then `second`. (Not named `then`: that would make the module namespace a thenable.) */
export const compose = (first: Similarity, second: Similarity): Similarity => {
  const { x: tx, y: ty } = apply(second, { x: first.tx, y: first.ty })
  return {
    a: second.a * first.a - second.b * first.b,
    b: second.b * first.a + second.a * first.b,
    tx,
    ty
  }
}

export const scaleOf = (t: Similarity) => Math.hypot(t.a, t.b)

/** The similarity taking p1 to q1 and p2 to q2 (as complex numbers: z = (q2 − q1) / (p2 − p1)). */
export function fromPairs(p1: Point, p2: Point, q1: Point, q2: Point): Similarity {
  const px = p2.x - p1.x
  const py = p2.y - p1.y
  const qx = q2.x - q1.x
  const qy = q2.y - q1.y
  const n = px * px + py * py
  if (!(n > 0)) throw new Error('the two points coincide')
  const a = (qx * px + qy * py) / n
  const b = (qy * px - qx * py) / n
  return { a, b, tx: q1.x - (a * p1.x - b * p1.y), ty: q1.y - (b * p1.x + a * p1.y) }
}

/** The eyes as they appear in the image: `left` is the one nearer the image's left edge. */
export interface Eyes {
  left: Point
  right: Point
}

const mean = (ps: readonly Point[]): Point => ({
  x: ps.reduce((s, p) => s + p.x, 0) / ps.length,
  y: ps.reduce((s, p) => s + p.y, 0) / ps.length
})

/** Eye centres from the 68-point (iBUG 300-W) layout: points 36–41 and 42–47 ring the two eyes. */
export function eyeCentres(landmarks: readonly Point[]): Eyes {
  if (landmarks.length !== 68) throw new Error(`expected 68 landmarks, got ${landmarks.length}`)
  const a = mean(landmarks.slice(36, 42))
  const b = mean(landmarks.slice(42, 48))
  return a.x <= b.x ? { left: a, right: b } : { left: b, right: a }
}

export const eyeDistance = (e: Eyes) => Math.hypot(e.right.x - e.left.x, e.right.y - e.left.y)

/** How far the eye line is turned from level, in degrees (positive: the right eye is lower). */
export const rollDegrees = (e: Eyes) =>
  (Math.atan2(e.right.y - e.left.y, e.right.x - e.left.x) * 180) / Math.PI

export const mapEyes = (t: Similarity, e: Eyes): Eyes => ({
  left: apply(t, e.left),
  right: apply(t, e.right)
})

/**
 * Where the eyes go in an aligned crop, as fractions of its side. At margin 1 the eyes sit 35 % and 65 % across
 * and 40 % down (the eye spacing of the common aligned sets, e.g. ArcFace's 112-px template: 34 % and 66 %);
 * a margin m scales the framing about the crop's centre, so m = 1.5 shows half as much again around the face.
 */
export function eyeTargets(margin: number): Eyes {
  const half = 0.15 / margin
  const y = 0.5 - 0.1 / margin
  return { left: { x: 0.5 - half, y }, right: { x: 0.5 + half, y } }
}

/** Share of the crop's side between the eye centres at a given margin (0.3 at margin 1). */
export const eyeShare = (margin: number) => 0.3 / margin

/** Source → crop transform putting these eyes level at `eyeTargets(margin)` of a size×size crop. */
export function alignTransform(eyes: Eyes, size: number, margin: number): Similarity {
  const t = eyeTargets(margin)
  return fromPairs(
    eyes.left,
    eyes.right,
    { x: t.left.x * size, y: t.left.y * size },
    { x: t.right.x * size, y: t.right.y * size }
  )
}

/** Source → patch transform for an upright square patch of side `size` centred on a box (side: its longer one). */
export function boxTransform(box: Box, size: number): Similarity {
  const side = Math.max(box.width, box.height)
  const s = size / side
  return {
    a: s,
    b: 0,
    tx: -(box.x + box.width / 2 - side / 2) * s,
    ty: -(box.y + box.height / 2 - side / 2) * s
  }
}
