// Entry of a job process. Runs under Electron's utilityProcess (messages on process.parentPort) or Node's
// child_process.fork (process.send / process.on('message')), and runs exactly one job.
import { JobControl } from '../../shared/control'
import { openStudio } from '../services/studio'
import type { FromJob, JobKind, ToJob } from './protocol'
import type { JobFn } from './job-context'

/** Loaded lazily, so an import job never loads TensorFlow.js and a training job never loads the importer. */
const jobKinds: Record<JobKind, () => Promise<JobFn>> = {
  import: async () => (await import('./import-job')).importJob,
  train: async () => (await import('./train-job')).trainJob,
  call: async () => (await import('./call-job')).callJob
}

interface ParentPort {
  on(event: 'message', fn: (e: { data: unknown }) => void): void
  postMessage(msg: unknown): void
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort

const send = (msg: FromJob): void => {
  if (parentPort) parentPort.postMessage(msg)
  else process.send?.(msg)
}
const onMessage = (fn: (msg: ToJob) => void): void => {
  if (parentPort) parentPort.on('message', (e) => fn(e.data as ToJob))
  else process.on('message', (m) => fn(m as ToJob))
}

const control = new JobControl()
let started = false

onMessage(async (msg) => {
  if (msg.type === 'control') return control.apply(msg.action)
  if (msg.type !== 'start' || started) return
  started = true
  // In the app's utilityProcess, the Electron build of better-sqlite3 (see electronLauncher).
  const studio = openStudio({
    home: msg.home,
    nativeBinding: process.env.AESTUDIO_SQLITE_BINDING || undefined
  })
  try {
    const job = await jobKinds[msg.kind]()
    const result = await job(msg.params, {
      studio,
      control,
      emit: (name, payload) => send({ type: 'event', name, payload })
    })
    send({ type: 'done', result })
  } catch (err) {
    const e = err as Error & { code?: string }
    send({ type: 'failed', error: { message: e.message ?? String(err), code: e.code } })
  } finally {
    studio.close()
    // Let the last message flush before leaving.
    setTimeout(() => process.exit(0), 50)
  }
})
