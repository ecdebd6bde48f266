import { sleep } from '@staysync/core';

export interface PacerOptions {
  minIntervalMs: number;
  /** a random extra in [0, jitterMs] per gap, so calls don't tick like a bot */
  jitterMs: number;
  random?: () => number;
}

/**
 * Spaces one account's requests: each request waits until `minIntervalMs + jitter` has passed since the
 * previous one finished, plus any pause queued with `pauseBeforeNext` (between listings). The pause is
 * only paid when a request actually follows, so skipped (already stored) work costs no time.
 */
export class Pacer {
  private lastFinishedAt: number | null = null;
  private pendingPauseMs = 0;
  private readonly random: () => number;

  constructor(private readonly options: PacerOptions) {
    this.random = options.random ?? Math.random;
  }

  pauseBeforeNext(ms: number): void {
    this.pendingPauseMs = Math.max(this.pendingPauseMs, ms);
  }

  async wait(signal?: AbortSignal): Promise<void> {
    if (this.lastFinishedAt === null) return;
    const gapMs = this.options.minIntervalMs + Math.round(this.random() * this.options.jitterMs);
    const readyAt = this.lastFinishedAt + Math.max(gapMs, this.pendingPauseMs);
    this.pendingPauseMs = 0;
    await sleep(readyAt - Date.now(), signal);
  }

  finished(): void {
    this.lastFinishedAt = Date.now();
  }
}
