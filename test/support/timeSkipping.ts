import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort, waitForPort } from '../../src/infra/freePort';
import { defaultToolCacheDir } from '../../src/infra/temporalCli';

const run = promisify(execFile);
const POM = path.join(__dirname, 'temporalTestServer', 'pom.xml');

/**
 * A launcher for Temporal's time-skipping test server. `createTimeSkipping()` would download a native
 * build from the internet, which this project's machines cannot reach; the same server is published
 * on Maven Central as a Java library, so it is resolved there once (Java and Maven, into the tool
 * cache) and started through a two-line launcher script. TEMPORAL_TEST_SERVER_PATH names another
 * executable (e.g. the native build) taking the port as its first argument.
 */
export async function ensureTimeSkippingServer(): Promise<string> {
  const explicit = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (explicit) return explicit;
  // Keyed by the pom's contents: a changed pom resolves afresh.
  const key = createHash('sha256').update(fs.readFileSync(POM)).digest('hex').slice(0, 12);
  const dir = path.join(defaultToolCacheDir(), `temporal-test-server-${key}`);
  const launcher = path.join(dir, 'temporal-test-server');
  if (fs.existsSync(launcher)) return launcher;

  const scratch = `${dir}.partial-${process.pid}`;
  fs.rmSync(scratch, { recursive: true, force: true });
  await run('mvn', ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${path.join(scratch, 'lib')}`],
    { timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 }).catch((err: Error & { stdout?: string }) => {
    throw new Error(`could not resolve the Temporal test server with Maven (needs Java 17+ and mvn, or TEMPORAL_TEST_SERVER_PATH): ${err.message}\n${err.stdout ?? ''}`);
  });
  fs.writeFileSync(path.join(scratch, 'temporal-test-server'),
    `#!/bin/sh\nexec java -Xss1m -XX:+UseSerialGC -cp "$(dirname "$0")/lib/*" io.temporal.testserver.TestServer "$@"\n`, { mode: 0o755 });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  try {
    fs.renameSync(scratch, dir);
  } catch (err) {
    // Another process finished first: theirs is as good as ours.
    fs.rmSync(scratch, { recursive: true, force: true });
    if (!fs.existsSync(launcher)) throw err;
  }
  return launcher;
}

/** A time-skipping environment and the server process under it. */
export interface TimeSkippingEnv {
  env: TestWorkflowEnvironment;
  stop(): Promise<void>;
}

/**
 * A fresh time-skipping test server for one test file (time skips per server, so files never share
 * one). The server is started here rather than by the SDK, whose launcher gives it 5 s to listen: a
 * JVM on a loaded two-core machine can take longer. The environment is then the SDK's own, attached to
 * that address with time skipping on (the SDK's `createTimeSkipping` does the same after its launch).
 */
export async function createTimeSkippingEnv(): Promise<TimeSkippingEnv> {
  const launcher = await ensureTimeSkippingServer();
  const port = await freePort();
  const child = spawn(launcher, [String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  process.once('exit', kill);
  try {
    await Promise.race([
      waitForPort('127.0.0.1', port, 120_000),
      exited.then(() => { throw new Error(`the Temporal test server exited: ${stderr}`); }),
    ]);
    const create = (TestWorkflowEnvironment as unknown as { create(opts: object): Promise<TestWorkflowEnvironment> }).create;
    const env = await create.call(TestWorkflowEnvironment, {
      server: { type: 'existing' }, address: `127.0.0.1:${port}`, namespace: 'default', supportsTimeSkipping: true,
    });
    return {
      env,
      async stop() {
        await env.teardown();
        kill();
        await exited;
        process.removeListener('exit', kill);
      },
    };
  } catch (err) {
    kill();
    throw err;
  }
}
