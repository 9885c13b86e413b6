// A process that trains on two wasm threads and then ends as told: `end` (returns), `exit` (process.exit(3)
// mid-training), `fail` (training throws), `wait` (trains until killed). Started by wasm-threads-exit.test.ts.
import { initBackend } from '../../src/main/ml/backends'
import { trainFewSteps } from './wasm-train'

const mode = process.argv[2]
const { threads } = await initBackend('wasm', { threads: 2 })
console.log(`threads ${threads}`)
if (mode === 'exit') setTimeout(() => process.exit(3), 0)
const onBatch =
  mode === 'fail'
    ? () => {
        throw new Error('training failed on purpose')
      }
    : undefined
do await trainFewSteps('conv', { onBatch })
while (mode === 'wait')
console.log('trained')
