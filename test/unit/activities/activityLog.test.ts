import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import pino from 'pino';
import { activityLog } from '../../../activities/log';

/** A pino logger that keeps its lines. */
function recordingPino() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line)); } });
  return { log, lines };
}

test('inside an activity, lines go to Context.current().log with the workflow and activity IDs', async () => {
  const entries: LogEntry[] = [];
  const env = new MockActivityEnvironment(
    { workflowExecution: { workflowId: 'cs_logged', runId: 'run-1' }, activityType: 'creditReceipt', attempt: 2 },
    { logger: new DefaultLogger('INFO', (e) => entries.push(e)) },
  );
  const { log: fallback, lines } = recordingPino();
  await env.run(async () => { activityLog(fallback).warn({ receiptId: 'rcpt_1' }, 'receipt signal refused'); });
  expect(lines).toEqual([]);
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({ level: 'WARN', message: 'receipt signal refused' });
  expect(entries[0].meta).toMatchObject({ receiptId: 'rcpt_1', workflowId: 'cs_logged', workflowRunId: 'run-1', activityType: 'creditReceipt', attempt: 2 });
});

test('outside an activity (a service or a test calling the function), lines go to the given pino logger', () => {
  const { log, lines } = recordingPino();
  activityLog(log).info({ eventIds: ['evt_1'] }, 'dispatched');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ msg: 'dispatched', eventIds: ['evt_1'] });
});
