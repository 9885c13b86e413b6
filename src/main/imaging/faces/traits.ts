import { EXPRESSIONS, type Expression, type ExpressionScores } from './models'

export interface Scored<Id> {
  id: Id
  expressions: ExpressionScores
}

export interface TraitSplit<Id> {
  /** Images showing the trait: score at or above `threshold`. */
  with: Id[]
  /** Images not showing it: score below `below` (defaults to `threshold`); those in between are in neither. */
  without: Id[]
}

/**
 * Splits scored face images into "with" and "without" a trait for vector arithmetic (the vector is the mean
 * latent of one set minus the other's). A gap between the two thresholds leaves out the faces the expression
 * model is unsure of, which otherwise blur the difference. Ids keep the input order.
 */
export function splitByTrait<Id>(
  images: readonly Scored<Id>[],
  trait: Expression,
  threshold = 0.5,
  below = threshold
): TraitSplit<Id> {
  if (!EXPRESSIONS.includes(trait))
    throw new Error(`"${trait}" is not an expression; use one of: ${EXPRESSIONS.join(', ')}`)
  if (!(threshold > 0 && threshold <= 1) || !(below > 0 && below <= threshold))
    throw new Error(`thresholds must satisfy 0 < below ≤ threshold ≤ 1 (got ${below} and ${threshold})`)
  const split: TraitSplit<Id> = { with: [], without: [] }
  for (const { id, expressions } of images) {
    const s = expressions[trait]
    if (s >= threshold) split.with.push(id)
    else if (s < below) split.without.push(id)
  }
  return split
}
