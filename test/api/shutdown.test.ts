import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { spawnTs, stopChild, type Child } from '../../chaos/processes';
import { freePort } from '../../src/infra/freePort';
import { ADMIN_KEY, call, createMerchant, startTestSystem, waitFor, type TestSystem } from '../support/testSystem';

/**
 * Graceful shutdown of real `src/main.ts` processes: a SIGTERM lets an in-flight request finish and
 * then exits; a SIGTERM that arrives while the worker is still starting stops it too.
 */
function partEnv(taskQueue: string, port: number): NodeJS.ProcessEnv {
  const dataDir = path.join(process.env.CHECKOUT_TEST_DIR!, `proc-${taskQueue}`);
  fs.mkdirSync(dataDir, { recursive: true });
  return {
    ...process.env,
    DATABASE_URL: process.env.CHECKOUT_TEST_DATABASE_URL,
    TEMPORAL_ADDRESS: process.env.CHECKOUT_TEST_TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: taskQueue,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    ADMIN_API_KEY: ADMIN_KEY,
    LOG_LEVEL: 'info',
    // No demo merchant: its data would be made on this task queue while the test runs.
    DEMO: 'false',
  };
}

function logLines(): { lines: string[]; onLine: (line: string) => void; seen: (msg: string) => Promise<void> } {
  const lines: string[] = [];
  const waiters: { msg: string; resolve: () => void }[] = [];
  return {
    lines,
    onLine: (line) => {
      lines.push(line);
      for (const w of waiters) if (line.includes(`"msg":"${w.msg}"`)) w.resolve();
    },
    seen: (msg) => new Promise<void>((resolve) => {
      if (lines.some((l) => l.includes(`"msg":"${msg}"`))) return resolve();
      waiters.push({ msg, resolve });
    }),
  };
}

let children: Child[] = [];
let systems: TestSystem[] = [];
afterEach(async () => {
  for (const c of children) await stopChild(c, 'SIGKILL');
  for (const s of systems) await s.stop();
  children = [];
  systems = [];
});

test('a SIGTERM during a create lets the request finish, then the API exits 0', async () => {
  const taskQueue = `shutdown-${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const log = logLines();
  const apiProc = spawnTs('src/main.ts', ['api'], partEnv(taskQueue, port), log.onLine);
  children.push(apiProc);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(() => fetch(`${base}/health`).then((r) => r.status, () => 0), (s) => s === 200, 60_000);
  const merchant = await createMerchant(base);

  // No worker runs this task queue yet, so the create waits inside its update-with-start.
  const pending = call(base, merchant.key, 'POST', '/checkout-sessions', { currency: 'SATS', amount: 3000 }, { 'Idempotency-Key': 'shutdown-1' });
  const connection = await Connection.connect({ address: process.env.CHECKOUT_TEST_TEMPORAL_ADDRESS! });
  try {
    const temporal = new Client({ connection });
    // The session of this request: the merchant is new and has made this one create, so its account's
    // session on this task queue is the one (no other workflow of the queue can be taken for it).
    const started = await waitFor(async () => {
      const ids: string[] = [];
      const list = temporal.workflow.list({ query: `TaskQueue = "${taskQueue}" AND AccountId = "${merchant.id}"` });
      for await (const wf of list) ids.push(wf.workflowId);
      return ids;
    }, (ids) => ids.length > 0, 30_000);
    expect(started).toEqual([expect.stringMatching(/^cs_/)]);

    apiProc.proc.kill('SIGTERM');
    await log.seen('stopping');
    // The worker arrives only now: the create can finish only if the stopping API waited for it. Its own
    // start: a worker-only system on the task queue of this test's API process, started mid-test.
    systems.push(await startTestSystem({ TEMPORAL_TASK_QUEUE: taskQueue }, { parts: ['worker'] }));
    const created = await pending;
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ id: started[0], status: 'active', payment_id: expect.stringMatching(/^pi_/) });
    expect(await apiProc.exited).toBe(0);
  } finally {
    await connection.close();
  }
});

test('a SIGTERM while the worker is still starting stops the process', async () => {
  const taskQueue = `shutdown-${randomBytes(4).toString('hex')}`;
  const log = logLines();
  const worker = spawnTs('src/main.ts', ['worker'], partEnv(taskQueue, await freePort()), log.onLine);
  children.push(worker);
  // Logged just before the worker is created (its workflow bundle takes seconds to build).
  await log.seen('starting worker');
  worker.proc.kill('SIGTERM');
  expect(await worker.exited).toBe(0);
  expect(log.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
});
