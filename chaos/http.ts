/** A JSON answer of the API. */
export interface Answer {
  status: number;
  body: any;
}

/** How the API behaved towards the harness: answers by status, and transport failures. */
export class HttpStats {
  readonly byStatus = new Map<number, number>();
  networkErrors = 0;
  retries = 0;

  count(status: number): void { this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1); }
  get(status: number): number { return this.byStatus.get(status) ?? 0; }
}

/**
 * An API client that retries what a real merchant would retry: connection failures, 5xx, 408, 429 and
 * 409 in progress. Given several API replicas, it spreads calls over them and moves to the next one when a
 * connection fails, as a load balancer in front of them would.
 */
export class ApiClient {
  readonly baseUrls: string[];
  private turn = 0;

  constructor(baseUrl: string | string[], readonly stats: HttpStats, private readonly retryForMs = 300_000) {
    this.baseUrls = Array.isArray(baseUrl) ? baseUrl : [baseUrl];
  }

  /** One call; throws on a transport failure (connection refused or reset, a 30 s timeout). */
  async once(key: string | null, method: string, route: string, body?: unknown, headers: Record<string, string> = {}, replica = this.turn++): Promise<Answer> {
    const res = await fetch(`${this.baseUrls[replica % this.baseUrls.length]}${route}`, {
      method,
      headers: {
        ...(key ? { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` } : {}),
        ...(body !== undefined || method === 'POST' ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    this.stats.count(res.status);
    return { status: res.status, body: parseJson(text) };
  }

  /**
   * Calls until the answer is not a 5xx and the connection held, for up to `retryForMs`. POSTs carry an
   * Idempotency-Key (given, so a retry is the same request); the final answer is returned, whatever it is.
   */
  async call(key: string | null, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const deadline = Date.now() + this.retryForMs;
    let wait = 200;
    let replica = this.turn++;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.stats.retries++;
      try {
        const answer = await this.once(key, method, route, body, headers, replica);
        if (!retryable(answer) || Date.now() > deadline) return answer;
      } catch (err) {
        this.stats.networkErrors++;
        if (Date.now() > deadline) throw err;
        replica++; // that replica is unreachable: the next one, at once
        if (this.baseUrls.length > 1 && attempt === 0) continue;
      }
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 3_000);
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text; // an HTML error page from a proxy, say: kept for the report
  }
}

/**
 * What Stripe's clients retry: 5xx; 408 (the server closed a request that did not arrive in time, which
 * a loaded box or a restarting replica causes; RFC 9110 lets the client repeat it); 429; and the 409 of
 * an Idempotency-Key whose earlier request still runs (or ran in a killed process). POSTs carry their
 * Idempotency-Key, so a repeat is the same request.
 */
function retryable(answer: Answer): boolean {
  if (answer.status >= 500 || answer.status === 408 || answer.status === 429) return true;
  return answer.status === 409 && /in progress/i.test(String(answer.body?.errors?.[0]?.message ?? ''));
}
