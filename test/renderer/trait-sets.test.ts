// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiError } from '../../src/renderer/src/api/client'
import { useTraitSetsStore } from '../../src/renderer/src/stores/trait-sets'
import { useVectorStore } from '../../src/renderer/src/stores/vector'
import { provideApi } from '../../src/renderer/src/studio'
import VectorView from '../../src/renderer/src/views/VectorView.vue'
import type { DatasetImage } from '../../src/shared/contract/datasets'
import type { AttributeVector, TraitSets } from '../../src/shared/contract/vector'
import { fakeApi } from './fake-api'
import { dataset, datasetImage, faceOf, run } from './fixtures'
import { deferred } from './helpers'

const face = (id: number, happy: number): DatasetImage =>
  datasetImage({
    id,
    relPath: `party.jpg#${id}`,
    thumb: `datasets/2/thumbs/${id}.webp`,
    face: faceOf({ index: id, expressions: { ...faceOf().expressions, happy, neutral: 1 - happy } })
  })
const smiles = [face(1, 0.98), face(2, 0.8)]
const straight = [face(3, 0.01), face(4, 0.2)]
const split: TraitSets = { with: smiles, without: straight }

describe('trait sets store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('asks for the split of the dataset, and lets the user leave images out before using them', async () => {
    const fake = fakeApi({ 'vector.traitSets': () => split })
    provideApi(fake.api)
    const s = useTraitSetsStore()
    s.setDataset(2)
    await flushPromises()
    expect(fake.calls.at(-1)).toEqual({
      name: 'vector.traitSets',
      input: { datasetId: 2, trait: 'happy', threshold: 0.5 }
    })
    s.toggle(smiles[1])
    expect(s.chosen.with.map((i) => i.id)).toEqual([1])
    s.toggle(smiles[1])
    s.toggle(straight[0])
    expect(s.chosen).toEqual({ with: smiles, without: [straight[1]] })
    s.trait = 'surprised'
    s.threshold = 0.7
    s.below = 0.2
    await s.find()
    expect(fake.calls.at(-1)?.input).toEqual({ datasetId: 2, trait: 'surprised', threshold: 0.7, below: 0.2 })
    // A new split starts with nothing left out.
    expect(s.leftOut.size).toBe(0)
  })

  it('shows only the latest answer, and says why a split was refused', async () => {
    const slow = deferred<TraitSets>()
    let n = 0
    const fake = fakeApi({
      'vector.traitSets': () => (++n === 1 ? slow.promise : { with: [smiles[0]], without: [] })
    })
    provideApi(fake.api)
    const s = useTraitSetsStore()
    s.setDataset(2)
    await s.find()
    slow.resolve(split)
    await flushPromises()
    expect(s.sets?.with.map((i) => i.id)).toEqual([1])
    fake.handlers['vector.traitSets'] = () => {
      throw new ApiError({ code: 'validation', message: 'Invalid input: below: must not be above threshold' })
    }
    await s.find()
    expect(s.error).toBe('Invalid input: below: must not be above threshold')
  })
})

describe('Vector view on a face run', () => {
  beforeEach(() => setActivePinia(createPinia()))

  const vector: AttributeVector = {
    runId: 5,
    vector: [0.1, 0.2],
    dimensions: 2,
    norm: 0.22,
    withCount: 1,
    withoutCount: 2
  }

  function mountFor(fit: 'faces' | 'cover') {
    const fake = fakeApi({
      'runs.list': () => [run({ id: 5, datasetId: 2, epochsDone: 2 })],
      'datasets.list': () => [
        dataset({ id: 2, fit, faces: fit === 'faces' ? { perImage: 'all', margin: 1 } : null })
      ],
      'datasets.images': () => ({ total: 4, items: [...smiles, ...straight] }),
      'datasets.skipped': () => [],
      'vector.traitSets': () => split,
      'vector.compute': () => vector
    })
    provideApi(fake.api)
    return { fake, w: mount(VectorView) }
  }

  it('offers the trait picker; the corrected sets become the vector’s with and without', async () => {
    const { fake, w } = mountFor('faces')
    await flushPromises()
    const picker = w.get('section.traits')
    expect(
      picker
        .get('ul[aria-label="Faces with happy"]')
        .findAll('img')
        .map((i) => i.attributes('src'))
    ).toEqual(smiles.map((i) => `/files/${i.thumb}`))
    expect(picker.text()).toContain('With happy: 2 of 2')
    // The user thinks the second smile is not one: left out, it greys and the count follows.
    const second = picker.get('button[aria-label="Leave out party.jpg#2 (0.80)"]')
    await second.trigger('click')
    expect(second.classes('out')).toBe(true)
    expect(second.attributes('aria-pressed')).toBe('false')
    expect(picker.text()).toContain('With happy: 1 of 2')
    await picker.get('button.primary').trigger('click')
    await flushPromises()
    const vec = useVectorStore()
    expect(vec.withImages.map((k) => k.source)).toEqual([1])
    expect(vec.withoutImages.map((k) => k.source)).toEqual([3, 4])
    expect(fake.calls.find((c) => c.name === 'vector.compute')?.input).toEqual({
      runId: 5,
      withImages: [1],
      withoutImages: [3, 4]
    })
    expect(w.text()).toContain('mean of 1 minus mean of 2')
  })

  it('asks again when the trait or a threshold changes, and cannot use an empty set', async () => {
    const { fake, w } = mountFor('faces')
    await flushPromises()
    fake.handlers['vector.traitSets'] = () => ({ with: [], without: [...smiles, ...straight] })
    await w.get('section.traits select').setValue('surprised')
    await flushPromises()
    expect(fake.calls.filter((c) => c.name === 'vector.traitSets').at(-1)?.input).toMatchObject({
      trait: 'surprised'
    })
    expect(w.get('section.traits').text()).toContain('No face scores that high; move the number.')
    expect(w.get('section.traits button.primary').attributes('disabled')).toBeDefined()
    const [thresholdInput, belowInput] = w.get('section.traits').findAll('input[type="number"]')
    await thresholdInput.setValue('0.3')
    await thresholdInput.trigger('change')
    await belowInput.setValue('0.1')
    await belowInput.trigger('change')
    await flushPromises()
    expect(fake.calls.filter((c) => c.name === 'vector.traitSets').at(-1)?.input).toEqual({
      datasetId: 2,
      trait: 'surprised',
      threshold: 0.3,
      below: 0.1
    })
  })

  it('has no trait picker for a run on a dataset without faces', async () => {
    const { fake, w } = mountFor('cover')
    await flushPromises()
    expect(w.find('section.traits').exists()).toBe(false)
    expect(fake.calls.some((c) => c.name === 'vector.traitSets')).toBe(false)
  })
})
