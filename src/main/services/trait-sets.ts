import type { TraitSets, TraitSetsInput } from '../../shared/contract/vector'
import { StudioError } from '../../shared/errors'
import { splitByTrait } from '../imaging/faces/traits'
import { getDataset, toDatasetImages } from './datasets'
import type { Studio } from './studio'

/**
 * A face dataset's images (those used for training: not excluded) split by one expression's score from the
 * import: "with" scores at least `threshold`, "without" below `below`. The clearest cases lead: "with" highest
 * score first, "without" lowest first. Reads the store only: no model is loaded.
 */
export function traitSets(studio: Studio, { datasetId, trait, threshold, below }: TraitSetsInput): TraitSets {
  const d = getDataset(studio, datasetId)
  if (d.fit !== 'faces')
    throw new StudioError(
      'validation',
      `Dataset "${d.name}" was not imported with faces, so its images have no expression scores; ` +
        'import the folder with faces.'
    )
  const images = toDatasetImages(
    studio,
    d,
    studio.store.images.images(d.id).filter((i) => !i.excluded)
  ).filter((i) => i.face)
  const byId = new Map(images.map((i) => [i.id, i]))
  const split = splitByTrait(
    images.map((i) => ({ id: i.id, expressions: i.face!.expressions })),
    trait,
    threshold,
    below
  )
  const score = (id: number) => byId.get(id)!.face!.expressions[trait]
  const ordered = (ids: number[], sign: 1 | -1) =>
    [...ids].sort((a, b) => sign * (score(a) - score(b))).map((id) => byId.get(id)!)
  return { with: ordered(split.with, -1), without: ordered(split.without, 1) }
}

/** The dataset a run was trained on, when it is a face dataset; a plain error otherwise. */
export function faceDatasetOfRun(studio: Studio, runId: number): number {
  const run = studio.store.runs.get(runId)
  if (!run) throw new StudioError('not_found', `Run ${runId} does not exist.`)
  const d = run.datasetId === null ? undefined : studio.store.datasets.get(run.datasetId)
  if (!d) throw new StudioError('not_found', `The dataset run ${runId} was trained on has been deleted.`)
  if (d.fit !== 'faces')
    throw new StudioError(
      'validation',
      `Run ${runId} was trained on dataset "${d.name}", which was not imported with faces, so there are no ` +
        'expression scores to pick images by.'
    )
  return d.id
}
