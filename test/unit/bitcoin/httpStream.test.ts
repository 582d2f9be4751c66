import { backoffDelay, readableChunks, sleep, streamLines } from '../../../src/bitcoin/httpStream';

async function collect(chunks: string[] | Uint8Array[]): Promise<string[]> {
  const bytes = chunks.map((c) => (typeof c === 'string' ? new TextEncoder().encode(c) : c));
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const b of bytes) controller.enqueue(b);
      controller.close();
    },
  });
  const lines: string[] = [];
  for await (const line of streamLines(readableChunks(stream))) lines.push(line);
  return lines;
}

describe('streamLines', () => {
  it('joins lines split across chunks and splits several lines in one chunk', async () => {
    expect(await collect(['{"a":', '1}\n{"b":2}\n{"c"', ':3}\n'])).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('handles CRLF, blank lines and a final line without newline', async () => {
    expect(await collect(['one\r\n\r\n', '\ntwo'])).toEqual(['one', 'two']);
  });

  it('keeps a multi-byte character split across chunks intact', async () => {
    const bytes = new TextEncoder().encode('café ☕\n');
    expect(await collect([bytes.slice(0, 4), bytes.slice(4, 7), bytes.slice(7)])).toEqual(['café ☕']);
  });
});

describe('backoff', () => {
  it('doubles from the initial delay up to the cap', () => {
    const opts = { initialMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 4, 50].map((a) => backoffDelay(a, opts))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('sleep ends early when aborted', async () => {
    const abort = new AbortController();
    const start = Date.now();
    setTimeout(() => abort.abort(), 10);
    await sleep(10_000, abort.signal);
    expect(Date.now() - start).toBeLessThan(1000);
  });
});
