import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureTimeSkippingServer } from './timeSkipping';

/**
 * Once per run of the fast tier's workflow project: one workflow bundle (the workflow-logic tests and
 * the replay gate share it) and the time-skipping test server's launcher. No database, no dev server.
 */
export default async function fastGlobalSetup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-fast-'));
  const [{ code }] = await Promise.all([
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger }),
    ensureTimeSkippingServer(),
  ]);
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, code);
  process.env.CHECKOUT_LOGIC_BUNDLE = bundlePath;
  // The replay gate reads the integration project's name for the same bundle.
  process.env.CHECKOUT_TEST_BUNDLE ??= bundlePath;
  (globalThis as { __checkoutFastStop?: () => void }).__checkoutFastStop = () => fs.rmSync(dir, { recursive: true, force: true });
}

const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
