import fs from 'node:fs';
import path from 'node:path';
import { createDb } from '../../src/db/knex';

/**
 * A database per test file, copied from a template the global setup migrated once
 * (`CREATE DATABASE … TEMPLATE …`, a file copy: a fraction of a second where migrating costs seconds).
 * So files can run in parallel (`-w 2`), and no test's rows are seen by another file's background
 * loops (watchers, dispatchers, retention), nor theirs by it.
 */

/** The URL of database `name` on the server of `url`. */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates database `name` as a copy of `template`, through the maintenance connection `adminUrl`. */
export async function createFromTemplate(adminUrl: string, template: string, name: string): Promise<void> {
  const admin = createDb(adminUrl, { min: 0, max: 1 });
  try {
    await admin.raw('create database ?? template ??', [name, template]);
  } finally {
    await admin.destroy();
  }
}

/** Drops the databases named, ending their connections (what a finished file left). */
export async function dropDatabases(adminUrl: string, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const admin = createDb(adminUrl, { min: 0, max: 1 });
  try {
    for (const name of names) await admin.raw('drop database if exists ?? with (force)', [name]);
  } finally {
    await admin.destroy();
  }
}

/**
 * Gives the current test file its own database (jest `setupFilesAfterEnv` of the integration project):
 * before the file's own hooks, CHECKOUT_TEST_DATABASE_URL is pointed at a fresh copy of the template.
 * The previous file of the same jest worker is dropped then, not in an `afterAll` here (which would run
 * before the file's own `afterAll` stops its system).
 */
export function useFileDatabase(): void {
  const adminUrl = process.env.CHECKOUT_TEST_ADMIN_DATABASE_URL;
  const template = process.env.CHECKOUT_TEST_TEMPLATE_DATABASE;
  if (!adminUrl || !template) return;
  beforeAll(async () => {
    const name = `${template}_w${process.env.JEST_WORKER_ID ?? '1'}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const previous = path.join(process.env.CHECKOUT_TEST_DIR!, `worker-${process.env.JEST_WORKER_ID ?? '1'}.database`);
    if (fs.existsSync(previous)) await dropDatabases(adminUrl, [fs.readFileSync(previous, 'utf8')]).catch(() => undefined);
    await createFromTemplate(adminUrl, template, name);
    fs.writeFileSync(previous, name);
    process.env.CHECKOUT_TEST_DATABASE_URL = databaseUrl(adminUrl, name);
  }, 120_000);
}
