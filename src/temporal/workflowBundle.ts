import fs from 'node:fs';
import path from 'node:path';

/** Where `npm run build` writes the workflow bundle: `dist/workflow-bundle.js`, beside the compiled code. */
export function prebuiltBundlePaths(): { codePath: string; sourceMapPath: string } {
  // This file compiles to dist/src/temporal/workflowBundle.js, so dist/ is two folders up.
  const dist = path.resolve(__dirname, '..', '..');
  return { codePath: path.join(dist, 'workflow-bundle.js'), sourceMapPath: path.join(dist, 'workflow-bundle.js.map') };
}

/**
 * The bundle the worker should load: WORKFLOW_BUNDLE_PATH when set; else, when running compiled
 * JavaScript, the one `npm run build` wrote. Under ts-node (development) there is none and the worker
 * bundles `workflows/` at start, so an edited workflow is never shadowed by a stale bundle.
 */
export function workflowBundleToLoad(explicitPath?: string): { codePath: string; sourceMapPath?: string } | undefined {
  if (explicitPath) return { codePath: path.resolve(explicitPath) };
  if (path.extname(__filename) !== '.js') return undefined;
  const paths = prebuiltBundlePaths();
  if (!fs.existsSync(paths.codePath)) return undefined;
  return fs.existsSync(paths.sourceMapPath) ? paths : { codePath: paths.codePath };
}
