import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowInterceptorModules } from '../src/telemetry/tracing';
import { prebuiltBundlePaths } from '../src/temporal/workflowBundle';

/**
 * `npm run build`'s second step: bundles workflows/ (plain and traced), so the production worker loads a file instead of
 * running webpack at every start (samples-typescript `production/`). Run from dist/ after `tsc`.
 */
async function main(): Promise<void> {
  // Two bundles: the plain one, and one with the tracing interceptors for a process that traces.
  for (const traced of [false, true]) {
    const { codePath, sourceMapPath } = prebuiltBundlePaths(traced);
    const { code, sourceMap } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      workflowInterceptorModules: workflowInterceptorModules(traced),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    fs.mkdirSync(path.dirname(codePath), { recursive: true });
    fs.writeFileSync(codePath, code);
    fs.writeFileSync(sourceMapPath, sourceMap);
    process.stdout.write(`workflow bundle: ${path.relative(process.cwd(), codePath)} (${Math.round(code.length / 1024)} KiB)\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
