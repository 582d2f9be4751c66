import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { AppConfig } from '../config';
import type { CheckoutWorkflowInput } from '../domain/definition';
import { withCallDeadline } from './deadline';
import { CHECKOUT_WORKFLOW_TYPE } from './definitions';

/** What every run of a session's workflow is started with, besides its kind (new, resumed, continued). */
export type RunOptions = Pick<CheckoutWorkflowInput, 'monitoringMs' | 'historyLimit' | 'retryBaseMs' | 'idleMs'>;

/** Where and how a session's workflow runs. */
export interface RunSettings extends RunOptions {
  taskQueue: string;
}

export function runOptions(s: RunSettings): RunOptions {
  return { monitoringMs: s.monitoringMs, historyLimit: s.historyLimit, retryBaseMs: s.retryBaseMs, idleMs: s.idleMs };
}

export function runSettings(config: AppConfig): RunSettings {
  return {
    taskQueue: config.temporal.taskQueue,
    monitoringMs: config.monitoringHours * 3_600_000,
    historyLimit: config.workflowHistoryLimit,
    retryBaseMs: config.workflowRetryBaseMs,
    idleMs: config.workflowIdleMs,
  };
}

/** The input of a run that reloads a session from the read model (its previous run closed). */
export function resumeInput(sessionId: string, s: RunSettings, receiptId?: string): CheckoutWorkflowInput {
  return { kind: 'resume', sessionId, ...(receiptId ? { receiptId } : {}), ...runOptions(s) };
}

/**
 * Sends an update to a session's workflow, starting it again in `resume` mode when its run has closed
 * (idle, settled, terminated or cancelled by an operator): update-with-start, `USE_EXISTING` for a
 * running workflow, `ALLOW_DUPLICATE` for a closed one. A running workflow just gets the update. The
 * update ID makes the server deduplicate a repeated call within the run (a retried request, two polls).
 */
export function updateSession<Ret, Args extends unknown[]>(
  temporal: Client, settings: RunSettings, sessionId: string, update: UpdateDefinition<Ret, Args>,
  opts: { updateId: string; deadlineMs: number; args?: Args },
): Promise<Ret> {
  return withCallDeadline(temporal, opts.deadlineMs, () => temporal.workflow.executeUpdateWithStart(update, {
    args: opts.args, updateId: opts.updateId,
    startWorkflowOperation: new WithStartWorkflowOperation(CHECKOUT_WORKFLOW_TYPE, {
      workflowId: sessionId,
      taskQueue: settings.taskQueue,
      args: [resumeInput(sessionId, settings)],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    }),
  }));
}
