import type { NextFunction, Request, Response } from 'express';
import { Histogram, type Registry } from 'prom-client';

/**
 * `http_request_duration_seconds{method,route,status}`: the route label is Express's route template
 * (`/checkout-sessions/:id`), never the raw URL, so IDs cannot explode the number of series.
 */
export function httpMetricsMiddleware(registry: Registry) {
  const histogram = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route template, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
    registers: [registry],
  });
  return (req: Request, res: Response, next: NextFunction) => {
    const end = histogram.startTimer();
    res.on('finish', () => {
      const template = req.route?.path as string | undefined;
      const route = template === undefined ? 'unmatched' : `${req.baseUrl}${template === '/' && req.baseUrl ? '' : template}`;
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
