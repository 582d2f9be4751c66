import fs from 'node:fs';
import path from 'node:path';
import { ensureApplicationFailure } from '@temporalio/common';
import * as bitcoinErrors from '../../../src/bitcoin/errors';
import * as ledger from '../../../src/db/ledger';
import * as rateErrors from '../../../src/rates/errors';
import * as webhookErrors from '../../../src/webhooks/errors';
import { DETERMINISTIC_ERRORS } from '../../../workflows/activityOptions';
import { PAYOUT_SEND_NON_RETRYABLE } from '../../../workflows/payout';

/**
 * Retry policies name non-retryable failures by their type, a string. An error thrown in an activity
 * becomes a failure whose type is its class's name (the SDK's own conversion, used below), so renaming
 * a class would silently make a deterministic failure retry (4 attempts, then the workflow's hourly
 * loop). Every name in the lists must therefore be the failure type of a real exported error class,
 * or the type of a non-retryable ApplicationFailure an activity throws.
 */
const modules: Record<string, Record<string, unknown>> = {
  'src/bitcoin/errors': bitcoinErrors, 'src/db/ledger': ledger, 'src/rates/errors': rateErrors, 'src/webhooks/errors': webhookErrors,
};

/** Failure type → where the class is exported, for every exported Error subclass of the modules above. */
function errorClassTypes(): Map<string, string> {
  const types = new Map<string, string>();
  for (const [where, exports] of Object.entries(modules)) {
    for (const value of Object.values(exports)) {
      if (typeof value !== 'function' || !(value.prototype instanceof Error)) continue;
      const instance = Object.create(value.prototype) as Error;
      types.set(ensureApplicationFailure(instance).type!, where);
    }
  }
  return types;
}

/** Types of the `ApplicationFailure.nonRetryable(message, 'Type')` calls in activities/. */
function activityFailureTypes(): Set<string> {
  const dir = path.resolve(__dirname, '../../../activities');
  const types = new Set<string>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const source = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const m of source.matchAll(/ApplicationFailure\.nonRetryable\([^;]*?,\s*'(\w+)'\s*\)/gs)) types.add(m[1]);
  }
  return types;
}

describe('every non-retryable failure type names something that is thrown', () => {
  const classes = errorClassTypes();

  test.each(DETERMINISTIC_ERRORS.map((name) => [name]))('DETERMINISTIC_ERRORS: %s is an exported error class whose failure type matches', (name) => {
    expect(classes.get(name)).toBeDefined();
    const [, exports] = Object.entries(modules).find(([where]) => where === classes.get(name))!;
    // The declared `name` (what logs show) agrees with the class name (what Temporal uses).
    const instance = Reflect.construct(exports[name] as new (...args: unknown[]) => Error, ['probe']);
    expect(instance.name).toBe(name);
  });

  test.each(PAYOUT_SEND_NON_RETRYABLE.map((name) => [name]))('the payout send: %s is thrown by an activity as a non-retryable failure', (name) => {
    expect(activityFailureTypes()).toContain(name);
  });

  test('a renamed class would be caught: a class\'s failure type is its class name', () => {
    class RenamedError extends Error {}
    expect(ensureApplicationFailure(new RenamedError('x')).type).toBe('RenamedError');
    expect(classes.has('UnknownCurrencyError')).toBe(true);
  });
});
