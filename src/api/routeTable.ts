import type { Express } from 'express';

/** One route of the app: method and full path pattern (`/checkout-sessions/:id`). */
export interface RouteEntry {
  method: string;
  path: string;
}

interface Layer {
  name?: string;
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** The app's routes, plus the mount paths of static file trees (which have no routes of their own). */
export interface AppRoutes {
  routes: RouteEntry[];
  staticMounts: string[];
}

/**
 * Every route of an Express 5 app, read from its router stack (mounted routers included), so what
 * iterates it (the method guard, the tests' sweeps) covers a route the day it is added, without anyone
 * listing it.
 */
export function appRoutes(app: Express): AppRoutes {
  const root = (app as unknown as { router: { stack: Layer[] } }).router;
  const routes: RouteEntry[] = [];
  const staticMounts: string[] = [];
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') routes.push({ method: method.toUpperCase(), path: `${prefix}${layer.route.path}`.replace(/\/$/, '') || '/' });
        }
      } else if (layer.handle.stack) {
        if (layer.rawPath !== undefined && typeof layer.rawPath !== 'string') throw new Error(`unsupported mount path ${String(layer.rawPath)}`);
        walk(layer.handle.stack, `${prefix}${mount}`);
      } else if (layer.name === 'serveStatic' && mount) {
        staticMounts.push(`${prefix}${mount}`);
      }
    }
  };
  walk(root.stack, '');
  const seen = new Set<string>();
  return { routes: routes.filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`)), staticMounts };
}

/** Every route of an Express 5 app (see `appRoutes`). */
export function routeTable(app: Express): RouteEntry[] {
  return appRoutes(app).routes;
}
