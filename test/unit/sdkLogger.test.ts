import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { sdkLogger } from '../../src/telemetry/sdkLogger';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const out = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  return { log: createLogger(level, out), lines };
}

test('a workflow log line of the SDK becomes a pino JSON line with its workflow and run IDs', () => {
  const { log, lines } = capture('info');
  sdkLogger(log).warn('checkout session work failed; kept for a retry', {
    sdkComponent: 'workflow', workflowId: 'cs_1', runId: 'run-1', workflowType: 'checkoutSession', reason: 'open_payment: X',
  });
  expect(lines).toEqual([expect.objectContaining({
    level: 40, component: 'temporal', msg: 'checkout session work failed; kept for a retry',
    sdkComponent: 'workflow', workflowId: 'cs_1', runId: 'run-1', workflowType: 'checkoutSession', reason: 'open_payment: X',
  })]);
});

test('the SDK logs at the process log level: debug lines are dropped at info, nothing at silent', () => {
  const info = capture('info');
  sdkLogger(info.log).debug('noise', { sdkComponent: 'worker' });
  sdkLogger(info.log).info('Worker state changed', { sdkComponent: 'worker', state: 'RUNNING' });
  expect(info.lines.map((l) => l.msg)).toEqual(['Worker state changed']);

  const silent = capture('silent');
  sdkLogger(silent.log).error('boom', {});
  expect(silent.lines).toEqual([]);
});
