import http from 'node:http';

/** One keep-alive agent for the whole run: connection setup is not what we measure. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

/** A JSON response. */
export interface Reply<T = any> {
  status: number;
  body: T;
}

/** Calls the API over HTTP/1.1 keep-alive with an optional Basic-auth key; parses the JSON reply. */
export async function callApi<T = any>(
  baseUrl: string, key: string | null, method: string, route: string, body?: unknown, headers: Record<string, string> = {},
): Promise<Reply<T>> {
  try {
    return await send<T>(baseUrl, key, method, route, body, headers);
  } catch (err) {
    // The server closed an idle keep-alive socket just as we reused it: the request never arrived (Node's documented race).
    if ((err as { reusedSocket?: boolean }).reusedSocket) return send<T>(baseUrl, key, method, route, body, headers);
    throw err;
  }
}

function send<T>(
  baseUrl: string, key: string | null, method: string, route: string, body: unknown, headers: Record<string, string>,
): Promise<Reply<T>> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}${route}`, {
      method, agent,
      headers: {
        ...(key ? { authorization: basicAuth(key) } : {}),
        ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        ...headers,
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
        } catch (err) {
          reject(new Error(`${method} ${route}: ${res.statusCode} non-JSON reply: ${text.slice(0, 200)} (${String(err)})`));
        }
      });
      res.on('error', reject);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      reject(Object.assign(err, { reusedSocket: req.reusedSocket && err.code === 'ECONNRESET' }));
    });
    req.end(payload);
  });
}

/** Like `callApi`, but any non-2xx answer is an error (the benchmark's requests are all valid). */
export async function mustCall<T = any>(
  baseUrl: string, key: string | null, method: string, route: string, body?: unknown, headers?: Record<string, string>,
): Promise<T> {
  const reply = await callApi<T>(baseUrl, key, method, route, body, headers);
  if (reply.status < 200 || reply.status >= 300) throw new Error(`${method} ${route}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** HTTP Basic with the secret key as username and an empty password (SPEC §2). */
export function basicAuth(key: string): string {
  return `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
}
