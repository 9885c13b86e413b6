/** One line of a LossChart: points sorted by x; `color` names a CSS variable so the line follows the theme. */
export interface LossSeries {
  label: string
  points: { x: number; y: number }[]
  color: string
  dashed?: boolean
}
