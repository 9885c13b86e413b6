/**
 * Runs an async job for the latest request only: while one is in flight, newer requests replace each other and
 * only the last one runs next. Dragging a slider fires dozens of inputs a second; the decoder sees at most one
 * request at a time and always ends on where the slider stopped.
 */
export class LatestOnly<I, O> {
  private running = false
  private queued: { input: I } | null = null

  constructor(
    private readonly job: (input: I) => Promise<O>,
    private readonly onResult: (output: O, input: I) => void,
    private readonly onError: (err: unknown) => void
  ) {}

  request(input: I): void {
    if (this.running) {
      this.queued = { input }
      return
    }
    void this.run(input)
  }

  get busy(): boolean {
    return this.running
  }

  private async run(input: I): Promise<void> {
    this.running = true
    try {
      this.onResult(await this.job(input), input)
    } catch (err) {
      this.onError(err)
    } finally {
      this.running = false
      const next = this.queued
      this.queued = null
      if (next) void this.run(next.input)
    }
  }
}
