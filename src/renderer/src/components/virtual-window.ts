/** Which rows of a fixed-size grid are on screen: the arithmetic behind VirtualGrid, kept pure to test it. */
export interface GridWindow {
  columns: number
  totalRows: number
  firstRow: number
  lastRow: number
  /** Item indices [start, end) to render. */
  start: number
  end: number
}

export function gridWindow(o: {
  count: number
  width: number
  height: number
  scrollTop: number
  itemWidth: number
  rowHeight: number
  gap: number
  overscan: number
}): GridWindow {
  const columns = Math.max(1, Math.floor((o.width + o.gap) / (o.itemWidth + o.gap)))
  const totalRows = Math.ceil(o.count / columns)
  const firstRow = Math.max(0, Math.floor(o.scrollTop / o.rowHeight) - o.overscan)
  const lastRow = Math.min(totalRows, Math.ceil((o.scrollTop + o.height) / o.rowHeight) + o.overscan)
  return {
    columns,
    totalRows,
    firstRow,
    lastRow,
    start: firstRow * columns,
    end: Math.min(o.count, lastRow * columns)
  }
}
