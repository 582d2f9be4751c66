import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../..');

/** Whether a Java runtime is on PATH (openapi-generator is a Java program; .ci/run installs one). */
export function hasJava(): boolean {
  return spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Generates a client from `doc` with openapi-generator (the version pinned in openapitools.json, its
 * jar cached under ~/.cache) and returns the folder it wrote. The output is kept per document and
 * generator under `.generated/` (git-ignored), so an unchanged document is generated once.
 */
export async function generateClient(doc: object, generator: string, properties: Record<string, string> = {}): Promise<string> {
  const text = JSON.stringify(doc, null, 2);
  const hash = createHash('sha256').update(`${generator} ${JSON.stringify(properties)}\n${text}`).digest('hex').slice(0, 16);
  const dir = path.join(ROOT, '.generated', `${generator}-${hash}`);
  if (fs.existsSync(path.join(dir, '.done'))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const spec = path.join(dir, 'openapi.json');
  fs.writeFileSync(spec, text);
  const props = Object.entries(properties).map(([k, v]) => `${k}=${v}`).join(',');
  await promisify(execFile)(path.join(ROOT, 'node_modules/.bin/openapi-generator-cli'), [
    'generate', '-i', spec, '-g', generator, '-o', path.join(dir, 'client'), ...(props ? ['--additional-properties', props] : []),
  ], { cwd: ROOT, timeout: 5 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  fs.writeFileSync(path.join(dir, '.done'), '');
  return dir;
}
