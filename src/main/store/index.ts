import type { Database } from 'better-sqlite3'
import { openDatabase, type OpenOptions } from './connection'
import { ArtifactsRepo } from './repositories/artifacts'
import { DatasetsRepo } from './repositories/datasets'
import { ImagesRepo } from './repositories/images'
import { RunsRepo } from './repositories/runs'
import { SettingsRepo } from './repositories/settings'
import { SweepsRepo } from './repositories/sweeps'

export { NewerDatabaseError, openDatabase, migrate } from './connection'

/** The run store: one connection and a repository per concern, statements prepared once. */
export class Store {
  readonly settings: SettingsRepo
  readonly datasets: DatasetsRepo
  readonly images: ImagesRepo
  readonly runs: RunsRepo
  readonly artifacts: ArtifactsRepo
  readonly sweeps: SweepsRepo

  constructor(readonly db: Database) {
    this.settings = new SettingsRepo(db)
    this.datasets = new DatasetsRepo(db)
    this.images = new ImagesRepo(db)
    this.runs = new RunsRepo(db)
    this.artifacts = new ArtifactsRepo(db)
    this.sweeps = new SweepsRepo(db)
  }

  static open(file: string, options?: OpenOptions): Store {
    return new Store(openDatabase(file, options))
  }

  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number
  }

  close(): void {
    if (this.db.open) this.db.close()
  }
}
