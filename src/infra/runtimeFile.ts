import fs from 'node:fs';
import path from 'node:path';
import { processAlive } from './processAlive';

/**
 * What a running `npm start` tells the operator tools (`npm run temporal`, `reconcile`, `migrate`) about
 * itself: `DATA_DIR/runtime.json`, written once everything runs and removed when it stops. It holds no
 * secret (the database password stays in its own 0600 file); it is still written 0600, like DATA_DIR's
 * other files.
 */
export interface RuntimeInfo {
  /** The process that wrote it: a file whose process is gone is stale and ignored. */
  pid: number;
  /** The API's local URL, when the API runs in that process. */
  apiUrl: string | null;
  temporal: { address: string; namespace: string; uiUrl: string | null; embedded: boolean };
  /** The embedded PostgreSQL's port; null when DATABASE_URL points elsewhere. */
  postgresPort: number | null;
}

export function runtimeFilePath(dataDir: string): string {
  return path.join(dataDir, 'runtime.json');
}

/** Writes the file atomically (a reader never sees half of it). */
export function writeRuntimeFile(dataDir: string, info: RuntimeInfo): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = runtimeFilePath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** The running instance's file, or null when there is none, it is unreadable, or its process has gone. */
export function readRuntimeFile(dataDir: string): RuntimeInfo | null {
  let info: RuntimeInfo;
  try {
    info = JSON.parse(fs.readFileSync(runtimeFilePath(dataDir), 'utf8')) as RuntimeInfo;
  } catch {
    return null;
  }
  return Number.isInteger(info?.pid) && processAlive(info.pid) ? info : null;
}

/** Removes the file if this process wrote it (a newer instance's file is left alone). */
export function removeRuntimeFile(dataDir: string, pid: number = process.pid): void {
  const file = runtimeFilePath(dataDir);
  try {
    if ((JSON.parse(fs.readFileSync(file, 'utf8')) as RuntimeInfo).pid === pid) fs.rmSync(file);
  } catch { /* already gone or unreadable */ }
}
