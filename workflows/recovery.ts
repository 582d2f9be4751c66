import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { Attention, Job, PendingWork } from '../src/domain/work';

export type { Attention, Job, PendingWork };

/**
 * A session's failed work, oldest first, and the flag an operator sees. Jobs are values: nothing here
 * changes a job; what replaces one is a new job.
 */
export class Recovery {
  private work: Job[];
  attention: Attention | null;

  constructor(saved: PendingWork | undefined, private readonly baseMs: number) {
    this.work = saved ? [...saved.jobs] : [];
    this.attention = saved?.attention ?? null;
  }

  get jobs(): readonly Job[] { return this.work; }

  /** What continue-as-new carries. */
  snapshot(): PendingWork {
    return { jobs: [...this.work], attention: this.attention };
  }

  /** Keeps failed work for the retry rounds and flags the session (a newer payment request replaces an older one). */
  keep(jobs: Job[], reason: string, now: number): void {
    for (const job of jobs) {
      if (job.kind === 'open_payment') this.work = this.work.filter((j) => j.kind !== 'open_payment');
      this.work.push(job);
    }
    this.attention = this.attention
      ? { ...this.attention, reason }
      : { reason, since: now, attempts: 0, retryAt: now + retryDelayMs(0, this.baseMs) };
  }

  /** Puts work back unattempted (it waits behind a failed job), without a new reason. */
  hold(jobs: Job[]): void {
    this.work.push(...jobs);
  }

  /** Takes all the work out for a retry round. */
  takeAll(): Job[] {
    const jobs = this.work;
    this.work = [];
    return jobs;
  }

  /** After a retry round: clears the flag when everything went through, or schedules the next round. */
  roundDone(before: Attention | null, now: number): void {
    if (this.work.length === 0) {
      this.attention = null;
    } else if (before && this.attention) {
      const attempts = before.attempts + 1;
      this.attention = { ...this.attention, attempts, retryAt: now + retryDelayMs(attempts, this.baseMs) };
    }
  }

  /** Replaces the work with what is still needed (see `refresh`). */
  replace(jobs: Job[]): void {
    this.work = jobs;
    if (jobs.length === 0) this.attention = null;
  }
}

/** 30 s, 1 min, 2 min … capped at an hour: a stuck dependency costs a few history events per hour. */
export function retryDelayMs(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.min(attempts, 20), 3_600_000);
}

/** True for failures of an activity (after its own retries), the only ones the workflow absorbs. */
export function isActivityFailure(err: unknown): err is ActivityFailure {
  return err instanceof ActivityFailure;
}

/** `kind: Type: message` on one line, short enough for the Web UI's details. */
export function failureLine(what: string, err: ActivityFailure): string {
  const cause = err.cause;
  const type = cause instanceof ApplicationFailure ? cause.type ?? cause.name : cause?.name ?? 'Error';
  const message = (cause?.message ?? err.message).replace(/\s+/g, ' ');
  return `${what}: ${type}: ${message}`.slice(0, 300);
}
