import type { Express } from 'express';

/** One route of the app: method and full path pattern (`/checkout-sessions/:id`). */
export interface RouteEntry {
  method: string;
  path: string;
}

interface Layer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/**
 * Every route of an Express 5 app, read from its router stack (mounted routers included), so a test
 * that iterates it covers a route the day it is added, without anyone listing it.
 */
export function routeTable(app: Express): RouteEntry[] {
  const root = (app as unknown as { router: { stack: Layer[] } }).router;
  const out: RouteEntry[] = [];
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.push({ method: method.toUpperCase(), path: `${prefix}${layer.route.path}`.replace(/\/$/, '') || '/' });
        }
      } else if (layer.handle.stack) {
        if (layer.rawPath !== undefined && typeof layer.rawPath !== 'string') throw new Error(`unsupported mount path ${String(layer.rawPath)}`);
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  walk(root.stack, '');
  const seen = new Set<string>();
  return out.filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`));
}
