// Child process for the crash test: commits one dataset, then opens a big transaction, says so, and waits to be
// killed in the middle of it.
import { Store } from '../../src/main/store/index'

const store = Store.open(process.argv[2])
store.datasets.create({
  name: 'committed',
  source: '/a',
  size: 64,
  channels: 3,
  fit: 'cover',
  splitSeed: 1,
  valFraction: 0.1
})
const insert = store.db.prepare(
  `INSERT INTO datasets (name, source, size, channels, fit, split_seed, val_fraction) VALUES (?, '/b', 64, 3, 'cover', 1, 0.1)`
)
store.db.exec('BEGIN IMMEDIATE')
for (let i = 0; i < 20000; i++) insert.run(`uncommitted ${i}`)
process.stdout.write('in-transaction\n')
setInterval(() => insert.run('more'), 1)
