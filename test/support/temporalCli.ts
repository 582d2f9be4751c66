import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findTemporalCli } from '../../src/infra/temporalCli';

const run = promisify(execFile);

/** Runs the real `temporal` CLI against the test run's server, as an operator would. */
export async function temporalCli(args: string[]): Promise<string> {
  const { stdout } = await run(findTemporalCli(), [...args, '--address', process.env.CHECKOUT_TEST_TEMPORAL_ADDRESS!], { timeout: 30_000 });
  return stdout;
}
