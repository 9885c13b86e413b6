/** What the owner of a job can ask of it. */
export type JobAction = 'pause' | 'resume' | 'stop'

/**
 * Pause/resume/stop as seen from inside a job. The job polls `stopped` between units of work and awaits
 * `checkpoint()` where pausing is safe; nothing is interrupted half-way.
 */
export class JobControl {
  private paused = false
  private stopRequested = false
  private wake: (() => void) | null = null

  get stopped(): boolean {
    return this.stopRequested
  }

  get isPaused(): boolean {
    return this.paused
  }

  apply(action: JobAction): void {
    if (action === 'pause') this.paused = true
    if (action === 'resume' || action === 'stop') {
      if (action === 'stop') this.stopRequested = true
      this.paused = false
      this.wake?.()
      this.wake = null
    }
  }

  /** Resolves at once unless paused; while paused, waits for resume or stop. */
  async checkpoint(): Promise<void> {
    while (this.paused && !this.stopRequested) await new Promise<void>((r) => (this.wake = r))
  }
}
