import type { Logger } from 'pino';

interface Failure {
  attempts: number;
  retryAt: number;
}

/**
 * Per-item retry pacing for a polling source: an item (an address) that fails is skipped until its
 * own backoff has passed, doubling up to `maxMs`, so one bad item never stops or slows the others.
 * Each item's trouble is logged once when it starts and once when it clears, not on every pass.
 */
export class ItemBackoff {
  private readonly failures = new Map<string, Failure>();

  constructor(
    private readonly log: Logger,
    private readonly what: string,
    private readonly initialMs = 30_000,
    private readonly maxMs = 3_600_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when `item` has no failure pending or its backoff has passed. */
  due(item: string): boolean {
    const f = this.failures.get(item);
    return !f || f.retryAt <= this.now();
  }

  failed(item: string, err: unknown): void {
    const f = this.failures.get(item) ?? { attempts: 0, retryAt: 0 };
    if (f.attempts === 0) this.log.warn({ err, item }, `${this.what} failed; retrying it alone with backoff`);
    f.attempts++;
    f.retryAt = this.now() + Math.min(this.maxMs, this.initialMs * 2 ** Math.min(f.attempts - 1, 20));
    this.failures.set(item, f);
  }

  succeeded(item: string): void {
    const f = this.failures.get(item);
    if (!f) return;
    this.failures.delete(item);
    this.log.info({ item, attempts: f.attempts }, `${this.what} works again`);
  }

  /** Items currently backing off (for tests and diagnostics). */
  pending(): string[] {
    return [...this.failures.keys()];
  }
}
