/** One line of a LossChart: points sorted by x; `color` names a CSS variable so the line follows the theme. */
export interface LossSeries {
  label: string
  points: { x: number; y: number }[]
  color: string
  dashed?: boolean
  /** `lr`: drawn against the learning-rate axis on the right, whose numbers are far smaller than losses. */
  axis?: 'lr'
  /** A context line (the learning rate), drawn thinner than the losses. */
  thin?: boolean
}
