import fs from 'node:fs';
import path from 'node:path';

/**
 * Where `npm run build` writes the workflow bundles, beside the compiled code: `dist/workflow-bundle.js`,
 * and `dist/workflow-bundle-traced.js` with the tracing interceptors for a process that traces.
 */
export function prebuiltBundlePaths(traced = false): { codePath: string; sourceMapPath: string } {
  // This file compiles to dist/src/temporal/workflowBundle.js, so dist/ is two folders up.
  const dist = path.resolve(__dirname, '..', '..');
  const name = traced ? 'workflow-bundle-traced.js' : 'workflow-bundle.js';
  return { codePath: path.join(dist, name), sourceMapPath: path.join(dist, `${name}.map`) };
}

/**
 * The bundle the worker should load: WORKFLOW_BUNDLE_PATH when set; else, when running compiled
 * JavaScript, the one `npm run build` wrote (the traced one when the process traces). Under ts-node (development) there is none and the worker
 * bundles `workflows/` at start, so an edited workflow is never shadowed by a stale bundle.
 */
export function workflowBundleToLoad(explicitPath?: string, traced = false): { codePath: string; sourceMapPath?: string } | undefined {
  if (explicitPath) return { codePath: path.resolve(explicitPath) };
  if (path.extname(__filename) !== '.js') return undefined;
  const paths = prebuiltBundlePaths(traced);
  if (!fs.existsSync(paths.codePath)) return undefined;
  return fs.existsSync(paths.sourceMapPath) ? paths : { codePath: paths.codePath };
}
