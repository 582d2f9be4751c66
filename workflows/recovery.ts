import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { SessionDefinition } from '../src/domain/definition';
import type { SessionEffect } from '../src/domain/transitions';

/** A unit of work of a session that can fail and be retried on its own. */
export type Job =
  | Exclude<SessionEffect, { kind: 'open_payment' }>
  /** `seq` is fixed by the first attempt, so a retry finds the payment that attempt may have made. */
  | { kind: 'open_payment'; amount: string; seq?: number }
  | { kind: 'persist'; definition: SessionDefinition }
  | { kind: 'receipt'; receiptId: string }
  | { kind: 'transfer'; transferId: string };

/** Why a session needs an operator's eye: the last failure, and when the workflow retries on its own. */
export interface Attention {
  /** One line: what failed and why, e.g. `open_payment: LightningUnavailable: Lightning is not configured…`. */
  reason: string;
  since: number;
  /** Retry rounds that failed so far (the backoff grows with it). */
  attempts: number;
  retryAt: number;
}

/** Work that failed and waits for a retry, carried across continue-as-new. */
export interface Recovery {
  jobs: Job[];
  attention: Attention | null;
}

export const emptyRecovery = (): Recovery => ({ jobs: [], attention: null });

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
