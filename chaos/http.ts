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

/** An API client that retries what a real merchant would retry: connection failures, 5xx and 409 in progress. */
export class ApiClient {
  constructor(readonly baseUrl: string, readonly stats: HttpStats, private readonly retryForMs = 300_000) {}

  /** One call; throws on a transport failure (connection refused or reset, a 30 s timeout). */
  async once(key: string | null, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(`${this.baseUrl}${route}`, {
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
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.stats.retries++;
      try {
        const answer = await this.once(key, method, route, body, headers);
        if (!retryable(answer) || Date.now() > deadline) return answer;
      } catch (err) {
        this.stats.networkErrors++;
        if (Date.now() > deadline) throw err;
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

/** 5xx, and the 409 of an Idempotency-Key whose earlier request still runs (or ran in a killed process). */
function retryable(answer: Answer): boolean {
  if (answer.status >= 500) return true;
  return answer.status === 409 && /in progress/i.test(String(answer.body?.errors?.[0]?.message ?? ''));
}
