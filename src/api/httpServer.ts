import http, { type Server } from 'node:http';
import type { Express } from 'express';

/** Limits of the API's HTTP listener (HTTP_* settings in the README's configuration table). */
export interface HttpLimits {
  /** The whole request (headers and body) must arrive within this, else 408 and the socket closes. */
  requestTimeoutMs: number;
  /** The headers must arrive within this. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (set it above a load balancer's own idle timeout). */
  keepAliveTimeoutMs: number;
  /** Open connections at most; further ones are closed as they arrive (0: no cap). */
  maxConnections: number;
}

/**
 * The API's HTTP server with bounded patience: a client trickling its headers or body a byte at a
 * time is cut off after the request deadline instead of Node's 300 s, and the connection cap bounds
 * what a flood of idle sockets can cost (about 25 KB each). Node checks the deadlines on a timer,
 * here at least once a second, so a request is cut within about a second of its deadline.
 */
export function createHttpServer(app: Express, limits: HttpLimits): Server {
  const server = http.createServer({
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeoutMs / 2))),
  }, app);
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  return server;
}
