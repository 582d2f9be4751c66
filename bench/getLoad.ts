import http from 'node:http';
import { basicAuth } from './http';
import { summarize, type Summary } from './stats';

/** What the parent sends: where to send GETs (paths under baseUrl), for how long, with how many connections. */
export interface GetLoadRequest {
  baseUrl: string;
  /** Basic-auth key, or null for the bare baseline. */
  key: string | null;
  paths: string[];
  seconds: number;
  concurrency: number;
}

/** What the load process answers. */
export interface GetLoadReply {
  requests: number;
  errors: number;
  wallMs: number;
  latency: Summary;
}

/**
 * A closed-loop GET load generator, run as its own process (forked by reads.ts) so that building and
 * parsing requests does not share the event loop of the API it measures, as a remote client would not.
 * Each of `concurrency` lanes holds one keep-alive connection and GETs a random path, back to back.
 */
async function load(req: GetLoadRequest): Promise<GetLoadReply> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: req.concurrency });
  const headers: Record<string, string> = req.key ? { authorization: basicAuth(req.key) } : {};
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = started + req.seconds * 1000;
  const one = (path: string) => new Promise<number>((resolve) => {
    const r = http.get(`${req.baseUrl}${path}`, { agent, headers }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    r.on('error', () => resolve(0));
  });
  const lane = async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const status = await one(req.paths[Math.floor(Math.random() * req.paths.length)]);
      latencies.push(performance.now() - t0);
      if (status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: req.concurrency }, lane));
  const wallMs = performance.now() - started;
  agent.destroy();
  return { requests: latencies.length, errors, wallMs, latency: summarize(latencies) };
}

process.once('message', (req: GetLoadRequest) => {
  load(req).then((reply) => process.send!(reply, () => process.exit(0)), (err) => {
    console.error(err);
    process.exit(1);
  });
});
