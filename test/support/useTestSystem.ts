import type { Part } from '../../src/system';
import type { RateProvider } from '../../src/rates';
import type { Logger } from '../../src/logger';
import type { Tracing } from '../../src/telemetry/tracing';
import { createMerchant, startTestSystem, type TestSystem } from './testSystem';

/** What varies between test files' systems: the environment, the parts, the rates, the logger. */
export interface UseTestSystemOptions {
  env?: Record<string, string>;
  parts?: Part[];
  rates?: RateProvider;
  log?: Logger;
  tracing?: Tracing | null;
  /**
   * Runs after the file's tests and before the system stops (jest runs `afterAll` hooks in the order they
   * were declared, so a file's own `afterAll` would see the system stopped): cleanup that needs the running
   * system, or a stand-in server whose open connections are closed first so the stop need not wait them out.
   */
  beforeStop?: (sys: TestSystem) => Promise<void> | void;
}

/**
 * The test preamble in one call: starts a system (PostgreSQL, Temporal, API, workers, watcher, on the
 * file's own database and task queue) before the file's tests and stops it after them. Returns a
 * stand-in that reads through to the started system, so a file writes `const sys = useTestSystem()`
 * at its top and uses `sys.baseUrl`, `sys.db`, `sys.temporal` … inside its hooks and tests.
 *
 * `opts` may be a function, called when the system starts (after the `beforeAll` hooks declared before
 * this call): for a setting known only then, such as a stand-in server's port or a tracing pipeline.
 */
export function useTestSystem(opts: UseTestSystemOptions | (() => UseTestSystemOptions) = {}): TestSystem {
  let started: TestSystem | undefined;
  let beforeStop: UseTestSystemOptions['beforeStop'];
  beforeAll(async () => {
    const o = typeof opts === 'function' ? opts() : opts;
    beforeStop = o.beforeStop;
    started = await startTestSystem(o.env ?? {}, { parts: o.parts, rates: o.rates, log: o.log, tracing: o.tracing });
  });
  afterAll(async () => {
    try {
      if (started) await beforeStop?.(started);
    } finally {
      await started?.stop();
      started = undefined;
    }
  });
  return lateBound('the test system', () => started);
}

/**
 * A merchant account (ID and test key) made once the system of `sys` has started, before the file's
 * tests; `body` adds fields of the account (name, xpub …).
 */
export function useMerchant(sys: TestSystem, body: Record<string, unknown> = {}): { id: string; key: string } {
  let merchant: { id: string; key: string } | undefined;
  beforeAll(async () => { merchant = await createMerchant(sys.baseUrl, body); });
  return lateBound('the merchant', () => merchant);
}

/** An object whose properties are read from `current()` when used: made at the top of a file, filled by a hook. */
export function lateBound<T extends object>(what: string, current: () => T | undefined): T {
  const target = (): T => {
    const value = current();
    if (!value) throw new Error(`${what} is used outside its file's tests (before beforeAll or after afterAll)`);
    return value;
  };
  return new Proxy({} as T, {
    // No binding: the system's members are closures and the knex instance (a function with properties).
    get: (_, prop) => Reflect.get(target(), prop),
    has: (_, prop) => Reflect.has(target(), prop),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, prop) => {
      const d = Reflect.getOwnPropertyDescriptor(target(), prop);
      return d ? { ...d, configurable: true } : undefined;
    },
  });
}
