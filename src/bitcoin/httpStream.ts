/**
 * Plumbing for long-lived HTTP streams (LND's invoice subscription): reading newline-delimited
 * messages from a fetch body, and pacing reconnects.
 */

/**
 * Yields the complete lines of a byte stream, however the chunks fall: a line split across writes is
 * held until its newline arrives, several lines in one chunk are yielded one by one. A trailing
 * unterminated line is yielded at the end (a stream may close without a final newline).
 */
export async function* streamLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    // stream: true keeps a multi-byte UTF-8 character split across chunks intact.
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line.trim() !== '') yield line;
      newline = buffer.indexOf('\n');
    }
  }
  buffer += decoder.decode();
  if (buffer.trim() !== '') yield buffer;
}

/** Adapts a WHATWG `ReadableStream` (a fetch body) to an async iterable of its chunks. */
export async function* readableChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Cancelling (not just releasing) closes the connection when the consumer stops early.
    await reader.cancel().catch(() => undefined);
  }
}

/** Exponential backoff bounds for reconnect loops. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/** The delay before reconnect attempt `attempt` (0-based): doubling from `initialMs`, capped at `maxMs`. */
export function backoffDelay(attempt: number, { initialMs, maxMs }: BackoffOptions): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
}

/** Resolves after `ms`, or as soon as `signal` aborts (never rejects: the caller checks the signal). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
