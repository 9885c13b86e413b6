// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { h, nextTick } from 'vue'
import VirtualGrid from '../../src/renderer/src/components/VirtualGrid.vue'
import { gridWindow } from '../../src/renderer/src/components/virtual-window'

const mountGrid = (count: number) =>
  mount(VirtualGrid, {
    props: { count, label: 'images', itemWidth: 88, itemHeight: 88, gap: 6, height: 420, initialWidth: 800 },
    slots: { item: ({ index }: { index: number }) => h('span', { class: 'item' }, String(index)) }
  })

const shown = (w: ReturnType<typeof mountGrid>) => w.findAll('.item').map((e) => Number(e.text()))

describe('VirtualGrid', () => {
  it('renders only the rows in view (plus overscan) for 10,000 items', () => {
    const w = mountGrid(10_000)
    // 800 px wide at 94 px per column → 8 columns; 420 px tall at 94 px per row → 5 rows in view, +2 overscan below.
    const items = shown(w)
    expect(items.length).toBe(7 * 8)
    expect(items[0]).toBe(0)
    expect(w.findAll('[role=row]').length).toBe(7)
    // The spacer is as tall as all 1,250 rows, so the scrollbar is true to the whole set.
    const spacer = w.find('.spacer').element as HTMLElement
    expect(spacer.style.height).toBe(`${1250 * 94}px`)
    expect(w.attributes('aria-rowcount')).toBe('1250')
  })

  it('swaps rows on scroll instead of adding them', async () => {
    const w = mountGrid(10_000)
    const el = w.element as HTMLElement
    el.scrollTop = 94 * 600
    await w.trigger('scroll')
    const items = shown(w)
    expect(items.length).toBeLessThanOrEqual(9 * 8)
    expect(Math.min(...items)).toBe(598 * 8)
    expect(items).toContain(600 * 8)
    expect(items).not.toContain(0)
  })

  it('moves with the keyboard, scrolls the active cell into view and activates it with Enter', async () => {
    const w = mountGrid(10_000)
    await w.trigger('keydown', { key: 'End' })
    expect(shown(w)).toContain(9_999)
    expect(w.attributes('aria-activedescendant')).toMatch(/-9999$/)
    await w.trigger('keydown', { key: 'ArrowUp' })
    await w.trigger('keydown', { key: 'Enter' })
    expect(w.emitted('activate')).toEqual([[9_991]])
    await w.trigger('keydown', { key: 'Home' })
    await nextTick()
    expect(shown(w)).toContain(0)
  })

  it('computes the window arithmetic exactly, including a last partial row', () => {
    const win = gridWindow({
      count: 10,
      width: 300,
      height: 100,
      scrollTop: 0,
      itemWidth: 94,
      rowHeight: 100,
      gap: 6,
      overscan: 0
    })
    expect(win).toMatchObject({ columns: 3, totalRows: 4, firstRow: 0, lastRow: 1, start: 0, end: 3 })
    const end = gridWindow({
      count: 10,
      width: 300,
      height: 100,
      scrollTop: 300,
      itemWidth: 94,
      rowHeight: 100,
      gap: 6,
      overscan: 1
    })
    expect(end).toMatchObject({ firstRow: 2, lastRow: 4, start: 6, end: 10 })
  })
})
