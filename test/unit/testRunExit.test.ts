import { spawn } from 'node:child_process';
import path from 'node:path';
import { isRunning } from '../support/pids';

/**
 * `npm test` must end once its tests have: a handle a test left open (here a child process and an
 * interval) would otherwise hold jest open until CI's time limit. The guard (test/support/openHandles.js)
 * names what held it and which file left it, kills the child, and exits with the run's own result.
 */
const root = path.resolve(__dirname, '../..');
const fixture = path.join(root, 'test/support/fixtures/leakyRun');

function runFixture(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules/jest/bin/jest.js'), '--runInBand', '--config', path.join(fixture, 'jest.config.js')],
      { cwd: fixture, env: { ...process.env, CHECKOUT_TEST_EXIT_GRACE_MS: '1000', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    // Without the guard the run never ends: stop it so that the assertions below report that.
    const limit = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.once('exit', (code) => { clearTimeout(limit); resolve({ code, out }); });
  });
}

test('a run that leaves a child process running still exits, naming the child and the file, and kills it', async () => {
  const { code, out } = await runFixture({ LEAK_CHILD: '1' });
  const pid = Number(/leaked child (\d+)/.exec(out)?.[1]);
  try {
    expect(code).toBe(0);
    expect(out).toContain('the process did not exit: these still hold it open');
    expect(out).toMatch(new RegExp(`child process ${pid}: sleep 600 \\(first seen after leak\\.fixture\\.js\\)`));
    expect(out).toContain(`stdio pipe 1 of child process ${pid}`);
    expect(out).toContain('other resources: Timeout');
    expect(isRunning(pid)).toBe(false);
  } finally {
    if (pid && isRunning(pid)) process.kill(pid, 'SIGKILL');
  }
}, 60_000);

test('a failed run that leaves a child running exits with the failure', async () => {
  const { code, out } = await runFixture({ LEAK_CHILD: '1', FAIL_TEST: '1' });
  const pid = Number(/leaked child (\d+)/.exec(out)?.[1]);
  try {
    expect(out).toContain('1 failed');
    expect(out).toContain('the process did not exit');
    expect(code).toBe(1);
  } finally {
    if (pid && isRunning(pid)) process.kill(pid, 'SIGKILL');
  }
}, 60_000);

test('a run that leaves nothing open exits by itself, with no report', async () => {
  const { code, out } = await runFixture({});
  expect(code).toBe(0);
  expect(out).toContain('1 passed');
  expect(out).not.toContain('did not exit');
}, 60_000);
