import path from 'node:path';
import { execFileSync } from 'node:child_process';

/**
 * The layer rules of eslint.config.mjs (docs/architecture.md) fire: a module that imports a layer above
 * its own fails lint, one that imports below passes. Each probe is linted as if it were a file at the
 * given path (test/support/lintProbes.mjs).
 */
const fails: Array<[string, string, string]> = [
  ['src/db/probe.ts', "import { errorMiddleware } from '../api/errors';", 'Layer "adapters" may not import layer "edge"'],
  ['src/db/probe.ts', "import { startSystem } from '../system';", 'Layer "adapters" may not import layer "entry"'],
  ['activities/probe.ts', "import { getLink } from '../src/services/links';", 'Layer "activities" may not import layer "services"'],
  ['activities/probe.ts', "import { claimUpdate } from '../src/temporal/withdrawalDefinitions';", 'Layer "activities" may not import layer "temporal"'],
  ['src/services/probe.ts', "import { dashboardRouter } from '../dashboard/routes';", 'Layer "services" may not import layer "edge"'],
  ['src/services/probe.ts', "import { NotFoundError } from '../api/errors';", 'Layer "services" may not import layer "edge"'],
  ['src/services/probe.ts', "import type { CreateRefundInput } from '../api/refunds/schema';", 'Layer "services" may not import layer "edge"'],
  ['src/views/nested/probe.ts', "import { createActivities } from '../../../activities';", 'Layer "records" may not import layer "activities"'],
  ['src/domain/probe.ts', "import { findSession } from '../db/sessions';", 'Layer "domain" may not import layer "adapters"'],
  ['src/domain/probe.ts', "import { randomBytes } from 'node:crypto';", 'src/domain is deterministic'],
  ['src/temporal/probe.ts', "import { createCheckoutSession } from '../services/checkoutSessions';", 'Layer "temporal" may not import layer "services"'],
  ['src/api/probe.ts', "import { checkoutSession } from '../../workflows/checkoutSession';", 'sandbox bundle'],
  ['workflows/probe.ts', "import { newId } from '../src/domain/ids';", 'ids.ts draws random IDs'],
];
const passes: Array<[string, string]> = [
  ['src/api/probe.ts', "import { createCheckoutSession } from '../services/checkoutSessions';"],
  ['src/services/probe.ts', "import { findSession } from '../db/sessions';\nimport { linkView } from '../views/link';"],
  ['activities/probe.ts', "import type { ClaimResult } from '../src/temporal/withdrawalDefinitions';\nimport { findSession } from '../src/db/sessions';"],
  ['src/temporal/probe.ts', "import { createActivities } from '../../activities';"],
  ['src/db/probe.ts', "import { idFromSeed } from '../domain/ids';"],
  ['src/domain/input/probe.ts', "import { Dec } from '../money';\nimport { httpUrl } from './common';"],
  ['src/page/probe.ts', "import { ApiError } from '../api/errors';"],
  ['src/services/probe.ts', "import { trace } from '@opentelemetry/api';"],
];

let results: string[][];
beforeAll(() => {
  const probes = [...fails, ...passes].map(([filePath, code]) => ({ filePath, code }));
  const out = execFileSync(process.execPath, [path.join(__dirname, '../../support/lintProbes.mjs')], { input: JSON.stringify(probes), encoding: 'utf8' });
  results = JSON.parse(out);
}, 120_000);

describe('layer rules', () => {
  test.each(fails.map((f, i) => [...f, i] as const))('%s: %s fails lint', (_file, _code, expected, i) => {
    expect(results[i]).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
  });

  test.each(passes.map((p, i) => [...p, fails.length + i] as const))('%s: %s passes', (_file, _code, i) => {
    expect(results[i]).toEqual([]);
  });
});
