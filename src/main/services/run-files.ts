import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { Checkpoint, Run } from '../../shared/contract/domain'
import { notFound, StudioError } from '../../shared/errors'
import { CheckpointError, decodeCheckpoint, type CheckpointData } from '../../engine/checkpoint'
import { sha256 } from '../util/hash'
import type { Studio } from './studio'

/** Checkpoint and preview paths of a run, absolute and relative to the data directory (as the store keeps them). */
export function runFiles(studio: Studio, runId: number) {
  const dir = studio.paths.run(runId)
  const rel = (file: string) => relative(studio.paths.home, file).split('\\').join('/')
  return {
    dir,
    checkpoints: join(dir, 'checkpoints'),
    checkpoint: (epoch: number) => join(dir, 'checkpoints', `epoch-${String(epoch).padStart(4, '0')}.ckpt`),
    preview: (epoch: number) => join(dir, 'previews', `epoch-${String(epoch).padStart(4, '0')}.png`),
    rel
  }
}

/** Deletes a run's checkpoint files that neither `last` nor `best` refers to. */
export function pruneCheckpoints(studio: Studio, runId: number): void {
  const files = runFiles(studio, runId)
  const keep = new Set(
    (['last', 'best'] as const).map((k) => studio.store.artifacts.checkpoint(runId, k)?.file).filter(Boolean)
  )
  for (const name of readdirSync(files.checkpoints))
    if (!keep.has(files.rel(join(files.checkpoints, name))))
      rmSync(join(files.checkpoints, name), { force: true })
}

/** A checkpoint file's bytes, checked against the hash recorded when it was written (when one was). */
export function readCheckpointBytes(file: string, expectedSha256?: string): Uint8Array {
  let buf: Buffer
  try {
    buf = readFileSync(file)
  } catch {
    throw new CheckpointError(file, 'the file is missing or unreadable')
  }
  if (expectedSha256 && sha256(buf) !== expectedSha256)
    throw new CheckpointError(file, 'its contents changed since it was written (checksum mismatch)')
  return buf
}

/** Reads and decodes a checkpoint file, checking its hash when one was recorded. */
export const readCheckpoint = (file: string, expectedSha256?: string): CheckpointData =>
  decodeCheckpoint(readCheckpointBytes(file, expectedSha256), file)

/**
 * The checkpoint a trained run is used from (viewers, exports, eval): `best` (lowest validation loss) unless
 * `last` is asked for, falling back to `last` when there is no best.
 */
export function modelCheckpoint(
  studio: Studio,
  runId: number,
  which: 'best' | 'last' = 'best'
): { run: Run; checkpoint: Checkpoint } {
  const run = studio.store.runs.get(runId)
  if (!run) throw notFound(`Run ${runId}`)
  const checkpoint =
    studio.store.artifacts.checkpoint(runId, which) ?? studio.store.artifacts.checkpoint(runId, 'last')
  if (!checkpoint)
    throw new StudioError(
      'unavailable',
      `Run ${runId} has no trained model yet: it needs at least one finished epoch (status: ${run.status}).`
    )
  return { run, checkpoint }
}

/** The checkpoint `modelCheckpoint` names, read and verified. */
export const readModelCheckpoint = (studio: Studio, checkpoint: Checkpoint): CheckpointData =>
  readCheckpoint(join(studio.paths.home, checkpoint.file), checkpoint.sha256)
