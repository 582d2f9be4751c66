import type { Express, RequestHandler } from 'express';
import { ApiError } from './errors';
import { appRoutes } from './routeTable';

/** A path pattern split into segments; `:name` matches any one non-empty segment. */
interface Pattern {
  segments: string[];
  path: string;
  methods: Set<string>;
}

function segmentsOf(path: string): string[] {
  return path.replace(/\/+$/, '').split('/').slice(1);
}

function matches(pattern: string[], segments: string[]): boolean {
  return pattern.length === segments.length
    && pattern.every((p, i) => (p.startsWith(':') ? segments[i].length > 0 : p.toLowerCase() === segments[i].toLowerCase()));
}

/** The declared routes by path pattern, read once from the finished app. */
function compile(app: Express): { patterns: Pattern[]; staticMounts: string[] } {
  const { routes, staticMounts } = appRoutes(app);
  const byPath = new Map<string, Pattern>();
  for (const r of routes) {
    const pattern = byPath.get(r.path) ?? { segments: segmentsOf(r.path), path: r.path, methods: new Set<string>() };
    pattern.methods.add(r.method);
    byPath.set(r.path, pattern);
  }
  return { patterns: [...byPath.values()], staticMounts };
}

/** The methods a path allows, in a stable order. */
function allowOf(methods: Set<string>): string {
  const order = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
  return [...methods].sort((a, b) => order.indexOf(a) - order.indexOf(b)).join(', ');
}

const UNKNOWN = 'unknownRoute';

/** First in a router that checks keys: a path no route declares leaves it at once (a 404 follows, not a 401). */
export function skipUnknownPaths(): RequestHandler {
  return (_req, res, next) => next(res.locals[UNKNOWN] === true ? 'router' : undefined);
}

/**
 * Answers from the route table before any authentication or body: a path no route declares is a 404
 * (`/favicon.ico` included, never a JSON 401; see `skipUnknownPaths`), a declared path with another method is a 405 with an
 * `Allow` header listing what it takes, and `OPTIONS` is a 204 with that `Allow` (no CORS headers:
 * the API grants no cross-origin use). HEAD is served wherever GET is. The table is read from `app`
 * at its first request, when every router is mounted.
 */
export function methodGuard(app: Express): RequestHandler {
  let table: ReturnType<typeof compile> | null = null;
  return (req, res, next) => {
    // A router mounted on a pattern the walker cannot read (a RegExp) turns the guard off rather than the app.
    try {
      table ??= compile(app);
    } catch {
      table = { patterns: [], staticMounts: ['/'] };
    }
    if (table.staticMounts.includes('/')) return next();
    const path = req.path;
    if (table.staticMounts.some((m) => path === m || path.startsWith(`${m}/`))) return next();
    const segments = segmentsOf(path);
    const found = table.patterns.filter((p) => matches(p.segments, segments));
    if (found.length === 0) {
      // Left to the routers that answer their own unknown paths (the dashboard's HTML 404), then the
      // app's JSON 404; the key-checking routers step aside (`skipUnknownPaths`), so never a 401.
      res.locals[UNKNOWN] = true;
      return next();
    }
    const methods = new Set(found.flatMap((p) => [...p.methods]));
    const allow = allowOf(methods);
    if (req.method === 'OPTIONS') {
      res.status(204).setHeader('Allow', allow);
      return void res.end();
    }
    if (methods.has(req.method) || (req.method === 'HEAD' && methods.has('GET'))) return next();
    res.setHeader('Allow', allow);
    const shown = found.length === 1 ? found[0].path.replace(/:(\w+)/g, '{$1}') : path;
    throw new ApiError(405, `${req.method} is not allowed on ${shown}; it takes ${allow}.`);
  };
}
