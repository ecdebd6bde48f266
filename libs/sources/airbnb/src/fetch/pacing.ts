import { sleep } from '@staysync/core';

export interface PacerOptions {
  minIntervalMs: number;
  /** a random extra in [0, jitterMs] per gap, so calls don't tick like a bot */
  jitterMs: number;
  random?: () => number;
}

/**
 * Spaces one account's requests: a request starts no sooner than `minIntervalMs + jitter` after the
 * previous one started (an interval is a rate: a slow answer does not add to it), and no sooner than a
 * pause queued with `pauseBeforeNext` (between listings) after the previous one finished. The pause is
 * only paid when a request actually follows, so skipped (already stored) work costs no time.
 */
export class Pacer {
  private lastStartedAt: number | null = null;
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
    if (this.lastStartedAt !== null) {
      const gapMs = this.options.minIntervalMs + Math.round(this.random() * this.options.jitterMs);
      const readyAt = Math.max(this.lastStartedAt + gapMs, (this.lastFinishedAt ?? 0) + this.pendingPauseMs);
      this.pendingPauseMs = 0;
      await sleep(readyAt - Date.now(), signal);
    }
    this.lastStartedAt = Date.now();
  }

  finished(): void {
    this.lastFinishedAt = Date.now();
  }
}
