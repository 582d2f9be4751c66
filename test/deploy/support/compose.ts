import fs from 'node:fs';
import { parse } from 'yaml';

/** One service of docker-compose.yml, after YAML merge keys (`<<: *app`) are applied. */
export interface ComposeService {
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  image?: string;
  build?: unknown;
}

/** Reads a compose file as Docker's parser does for the parts used here (anchors and merge keys). */
export function readCompose(file: string): { services: Record<string, ComposeService> } {
  return parse(fs.readFileSync(file, 'utf8'), { merge: true });
}

/**
 * Compose's variable interpolation: `${VAR}`, `${VAR:-default}` (unset or empty), `${VAR-default}`
 * (unset), `${VAR:?message}` / `${VAR?message}` (required) and `$$` for a literal `$`.
 */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g, (whole, name?: string, colon?: string, op?: string, arg?: string) => {
    if (whole === '$$') return '$';
    const v = env[name!];
    const missing = v === undefined || (colon === ':' && v === '');
    if (op === '-') return missing ? arg! : v!;
    if (op === '?' && missing) throw new Error(`required variable ${name}: ${arg}`);
    return v ?? '';
  });
}

/** A service's environment as its container would see it: interpolated, every value a string. */
export function serviceEnvironment(service: ComposeService, env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.environment ?? {})) out[k] = v === null ? '' : interpolate(String(v), env);
  return out;
}
