// Regenerates images/ from Debian's `dataset-fashion-mnist` package (MIT). Run from the repository root:
//   apt-get download dataset-fashion-mnist && dpkg -x dataset-fashion-mnist_*.deb /tmp/fm
//   node resources/samples/fashion-mnist/extract.mjs /tmp/fm/usr/share/datasets/fashion-mnist
// Takes the first PER_CLASS images of each class from the test set (t10k), in file order, so it is deterministic.
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import sharp from 'sharp'

const PER_CLASS = 30
const CLASSES = [
  'tshirt',
  'trouser',
  'pullover',
  'dress',
  'coat',
  'sandal',
  'shirt',
  'sneaker',
  'bag',
  'boot'
]

const src = process.argv[2]
if (!src) throw new Error('usage: node extract.mjs <folder with t10k-images-idx3-ubyte.gz>')
const images = gunzipSync(readFileSync(join(src, 't10k-images-idx3-ubyte.gz')))
const labels = gunzipSync(readFileSync(join(src, 't10k-labels-idx1-ubyte.gz')))
if (images.readUInt32BE(0) !== 2051 || labels.readUInt32BE(0) !== 2049) throw new Error('not idx files')
const count = images.readUInt32BE(4)
const [rows, cols] = [images.readUInt32BE(8), images.readUInt32BE(12)]

const out = join(dirname(fileURLToPath(import.meta.url)), 'images')
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
const taken = new Array(CLASSES.length).fill(0)
for (let i = 0; i < count && taken.some((n) => n < PER_CLASS); i++) {
  const label = labels[8 + i]
  if (taken[label] >= PER_CLASS) continue
  const n = ++taken[label]
  const pixels = images.subarray(16 + i * rows * cols, 16 + (i + 1) * rows * cols)
  const name = `${CLASSES[label]}-${String(n).padStart(2, '0')}.png`
  await sharp(pixels, { raw: { width: cols, height: rows, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 9 })
    .toFile(join(out, name))
}
console.log(`wrote ${taken.reduce((a, b) => a + b)} images to ${out}`)
