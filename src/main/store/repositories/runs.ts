import type { Database } from 'better-sqlite3'
import type { TrainConfig } from '../../../shared/config'
import type { EpochMetrics, Run, RunStatus } from '../../../shared/contract/domain'

interface RunRow {
  id: number
  dataset_id: number | null
  status: RunStatus
  model: string
  config: string
  backend: string | null
  backend_notes: string | null
  epochs: number
  epochs_done: number
  best_val_loss: number | null
  owner_pid: number | null
  error: string | null
  stopped_early_at: number | null
  created_at: string
  started_at: string | null
  finished_at: string | null
}

const toRun = (r: RunRow): Run => ({
  id: r.id,
  datasetId: r.dataset_id,
  status: r.status,
  model: r.model as Run['model'],
  config: JSON.parse(r.config) as TrainConfig,
  backend: r.backend,
  backendNotes: r.backend_notes ? (JSON.parse(r.backend_notes) as string[]) : [],
  epochs: r.epochs,
  epochsDone: r.epochs_done,
  bestValLoss: r.best_val_loss,
  error: r.error,
  stoppedEarlyAt: r.stopped_early_at,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at
})

const NOW = `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`
const LIVE: RunStatus[] = ['queued', 'running', 'paused']

export class RunsRepo {
  private readonly insertStmt
  private readonly requeueStmt
  private readonly getStmt
  private readonly listStmt
  private readonly startStmt
  private readonly statusStmt
  private readonly finishStmt
  private readonly progressStmt
  private readonly epochsStmt
  private readonly liveStmt
  private readonly deleteStmt
  private readonly insertMetric
  private readonly metricsStmt

  constructor(db: Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO runs (dataset_id, status, model, config, epochs, owner_pid) VALUES (?, 'queued', ?, ?, ?, ?)`
    )
    this.requeueStmt = db.prepare(
      `UPDATE runs SET status = 'queued', owner_pid = ?, error = NULL, finished_at = NULL WHERE id = ?`
    )
    this.getStmt = db.prepare<[number], RunRow>('SELECT * FROM runs WHERE id = ?')
    this.listStmt = db.prepare<[], RunRow>('SELECT * FROM runs ORDER BY id DESC')
    this.startStmt = db.prepare(
      `UPDATE runs SET status = 'running', backend = ?, backend_notes = ?, owner_pid = ?, error = NULL,
         finished_at = NULL, started_at = coalesce(started_at, ${NOW}) WHERE id = ?`
    )
    this.statusStmt = db.prepare('UPDATE runs SET status = ? WHERE id = ?')
    this.finishStmt = db.prepare(
      `UPDATE runs SET status = ?, error = ?, stopped_early_at = ?, owner_pid = NULL, finished_at = ${NOW}
       WHERE id = ?`
    )
    this.progressStmt = db.prepare(
      `UPDATE runs SET epochs_done = ?,
         best_val_loss = CASE WHEN ? IS NULL THEN best_val_loss
                              WHEN best_val_loss IS NULL OR ? < best_val_loss THEN ? ELSE best_val_loss END
       WHERE id = ?`
    )
    this.epochsStmt = db.prepare(
      `UPDATE runs SET epochs = ?, config = json_set(config, '$.epochs', ?) WHERE id = ?`
    )
    this.liveStmt = db.prepare<[], RunRow>(
      `SELECT * FROM runs WHERE status IN (${LIVE.map((s) => `'${s}'`).join(', ')})`
    )
    this.deleteStmt = db.prepare('DELETE FROM runs WHERE id = ?')
    this.insertMetric = db.prepare(
      `INSERT OR REPLACE INTO metrics (run_id, epoch, loss, recon, kl, val_loss, images_per_second, seconds, lr)
       VALUES (@runId, @epoch, @loss, @recon, @kl, @valLoss, @imagesPerSecond, @seconds, @lr)`
    )
    this.metricsStmt = db.prepare<[number], EpochMetrics>(
      `SELECT epoch, loss, recon, kl, val_loss AS valLoss, images_per_second AS imagesPerSecond, seconds, lr
       FROM metrics WHERE run_id = ? ORDER BY epoch`
    )
  }

  /**
   * A new queued run. `ownerPid` is the process that will start it (a queued run with no live owner is an
   * orphan), so a run is never mistaken for abandoned between being queued and its job starting.
   */
  create(datasetId: number | null, config: TrainConfig, ownerPid: number | null = process.pid): Run {
    const id = Number(
      this.insertStmt.run(datasetId, config.model, JSON.stringify(config), config.epochs, ownerPid)
        .lastInsertRowid
    )
    return this.get(id)!
  }

  /** Queues a finished or interrupted run again (to continue from its checkpoint), owned by `ownerPid`. */
  requeue(id: number, ownerPid: number = process.pid): void {
    this.requeueStmt.run(ownerPid, id)
  }

  get(id: number): Run | undefined {
    const r = this.getStmt.get(id)
    return r && toRun(r)
  }

  list(): Run[] {
    return this.listStmt.all().map(toRun)
  }

  markStarted(id: number, backend: string, notes: string[], ownerPid: number): void {
    this.startStmt.run(backend, JSON.stringify(notes), ownerPid, id)
  }

  setStatus(id: number, status: RunStatus): void {
    this.statusStmt.run(status, id)
  }

  finish(
    id: number,
    status: Extract<RunStatus, 'done' | 'stopped' | 'failed' | 'interrupted'>,
    error?: string,
    stoppedEarlyAt: number | null = null
  ): void {
    this.finishStmt.run(status, error ?? null, stoppedEarlyAt, id)
  }

  /** Records an epoch's metrics and the run's progress together. */
  recordEpoch(runId: number, m: Omit<EpochMetrics, 'lr'> & { lr?: number | null }): void {
    this.insertMetric.run({ runId, ...m, lr: m.lr ?? null })
    this.progressStmt.run(m.epoch, m.valLoss, m.valLoss, m.valLoss, runId)
  }

  metrics(runId: number): EpochMetrics[] {
    return this.metricsStmt.all(runId)
  }

  setEpochs(id: number, epochs: number): void {
    this.epochsStmt.run(epochs, epochs, id)
  }

  /**
   * Marks runs whose owning process is gone as `interrupted`. Called at every start, so a run killed with its
   * process (crash, SIGKILL, power loss) never stays "running" forever.
   */
  markOrphansInterrupted(isAlive: (pid: number) => boolean): number[] {
    const orphans = this.liveStmt.all().filter((r) => r.owner_pid === null || !isAlive(r.owner_pid))
    for (const r of orphans)
      this.finish(r.id, 'interrupted', 'The process training this run stopped unexpectedly.')
    return orphans.map((r) => r.id)
  }

  delete(id: number): boolean {
    return this.deleteStmt.run(id).changes > 0
  }
}
