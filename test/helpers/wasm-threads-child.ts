// A process that trains on two wasm threads and then ends as told: `end` (returns), `exit` (process.exit(3)
// mid-training), `fail` (training throws), `wait` (trains until killed). The second argument is how the threads
// are used: `kernels` (XNNPACK's pool) or `batch` (data-parallel replicas). Started by wasm-threads-exit.test.ts.
import { initBackend } from '../../src/main/ml/backends'
import { trainFewSteps } from './wasm-train'

const mode = process.argv[2]
const split = process.argv[3] as 'kernels' | 'batch'
const { threads, replicas } = await initBackend('wasm', { threads: 2, split })
console.log(`threads ${threads}`)
if (mode === 'exit') setTimeout(() => process.exit(3), 0)
const onBatch =
  mode === 'fail'
    ? () => {
        throw new Error('training failed on purpose')
      }
    : undefined
do await trainFewSteps('conv', { onBatch, replicas })
while (mode === 'wait')
console.log('trained')
