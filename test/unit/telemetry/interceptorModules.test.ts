/**
 * The tracing interceptors go only into the bundle of a process that traces: bundled with tracing off
 * they cost about twice the worker CPU per receipt for spans nobody exports (docs/observability.md).
 */
import { WORKFLOW_INTERCEPTOR_MODULES, workflowInterceptorModules } from '../../../src/telemetry/tracing';
import { prebuiltBundlePaths } from '../../../src/temporal/workflowBundle';

test('an untraced bundle has no workflow interceptors, a traced one the OpenTelemetry ones', () => {
  expect(workflowInterceptorModules(false)).toEqual([]);
  expect(workflowInterceptorModules(true)).toEqual(WORKFLOW_INTERCEPTOR_MODULES);
  expect(WORKFLOW_INTERCEPTOR_MODULES.some((m) => /workflows[\\/]interceptors/.test(m))).toBe(true);
});

test('the traced prebuilt bundle is a file of its own', () => {
  expect(prebuiltBundlePaths(true).codePath).not.toBe(prebuiltBundlePaths(false).codePath);
  expect(prebuiltBundlePaths(true).codePath).toMatch(/workflow-bundle-traced\.js$/);
});
