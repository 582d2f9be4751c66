import { EsploraClient } from '../../../src/bitcoin/esplora';
import { EsploraError } from '../../../src/bitcoin/errors';
import { sendJson, startStandIn, type StandInServer } from './support/standInServer';

const ADDRESS = 'bcrt1qcr8te4kr609gcawutmrza0j4xv80jy8zjq2x8u';
const OTHER = 'bcrt1qnjg0jd8228aq7egyzacy8cys3knf9xvrk6uv4y';
const txid = (n: number): string => n.toString(16).padStart(64, '0');

interface Tx {
  txid: string;
  status: { confirmed: boolean; block_height?: number };
  vout: Array<{ scriptpubkey_address?: string; value: number }>;
}

function tx(n: number, confirmed: boolean, outs: Array<[string | undefined, number]>): Tx {
  return {
    txid: txid(n),
    status: confirmed ? { confirmed: true, block_height: 1000 - n } : { confirmed: false },
    vout: outs.map(([scriptpubkey_address, value]) => ({ scriptpubkey_address, value })),
  };
}

/** Serves history like Esplora: mempool first, then confirmed newest-first in pages of 25. */
function esplora(mempool: Tx[], confirmed: Tx[]): Promise<StandInServer> {
  return startStandIn((req, res) => {
    const url = req.url ?? '';
    if (url === '/blocks/tip/height') return void res.end('1234');
    const base = `/address/${ADDRESS}/txs`;
    if (url === base) return sendJson(res, 200, [...mempool, ...confirmed.slice(0, 25)]);
    if (url.startsWith(`${base}/chain/`)) {
      const after = confirmed.findIndex((t) => t.txid === url.slice(base.length + 7));
      return sendJson(res, 200, after < 0 ? [] : confirmed.slice(after + 1, after + 26));
    }
    sendJson(res, 404, 'not found');
  });
}

let server: StandInServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('EsploraClient.listAddressOutputs', () => {
  it('collects outputs to the address across mempool and all confirmed pages', async () => {
    const mempool = [tx(900, false, [[ADDRESS, 5000], [OTHER, 1]])];
    const confirmed = Array.from({ length: 60 }, (_, i) =>
      tx(i + 1, true, i % 10 === 0 ? [[OTHER, 7], [ADDRESS, 100 + i], [ADDRESS, 1]] : [[OTHER, 99], [undefined, 0]]),
    );
    server = await esplora(mempool, confirmed);
    const client = new EsploraClient(`${server.url}/`);
    const outputs = await client.listAddressOutputs(ADDRESS);

    expect(server.requests.map((r) => r.url)).toEqual([
      `/address/${ADDRESS}/txs`,
      `/address/${ADDRESS}/txs/chain/${txid(25)}`,
      `/address/${ADDRESS}/txs/chain/${txid(50)}`,
    ]);
    expect(outputs).toContainEqual({ txid: txid(900), vout: 0, valueSats: 5000n, confirmed: false, blockHeight: null });
    expect(outputs).toContainEqual({ txid: txid(51), vout: 1, valueSats: 150n, confirmed: true, blockHeight: 949 });
    expect(outputs).toContainEqual({ txid: txid(51), vout: 2, valueSats: 1n, confirmed: true, blockHeight: 949 });
    // 6 paying txs × 2 outputs, plus the mempool one.
    expect(outputs).toHaveLength(13);
    expect(outputs.every((o) => typeof o.valueSats === 'bigint')).toBe(true);
  });

  it('asks for the next page when exactly 25 confirmed came back, and stops on an empty page', async () => {
    server = await esplora([], Array.from({ length: 25 }, (_, i) => tx(i + 1, true, [[ADDRESS, 10]])));
    const outputs = await new EsploraClient(server.url).listAddressOutputs(ADDRESS);
    expect(outputs).toHaveLength(25);
    expect(server.requests).toHaveLength(2);
  });

  it('returns nothing for an unused address', async () => {
    server = await esplora([], []);
    expect(await new EsploraClient(server.url).listAddressOutputs(ADDRESS)).toEqual([]);
  });

  it('keeps large values exact and rejects values beyond 2^53', async () => {
    const big = 2_099_999_997_690_000; // the whole supply in sats: still a safe integer
    server = await startStandIn((_req, res) =>
      sendJson(res, 200, `[{"txid":"${txid(1)}","status":{"confirmed":false},"vout":[{"scriptpubkey_address":"${ADDRESS}","value":${big}}]}]`),
    );
    const [out] = await new EsploraClient(server.url).listAddressOutputs(ADDRESS);
    expect(out.valueSats).toBe(2_099_999_997_690_000n);
    await server.close();

    server = await startStandIn((_req, res) =>
      sendJson(res, 200, `[{"txid":"${txid(1)}","status":{"confirmed":false},"vout":[{"scriptpubkey_address":"${ADDRESS}","value":9007199254740993}]}]`),
    );
    await expect(new EsploraClient(server.url).listAddressOutputs(ADDRESS)).rejects.toThrow(/invalid value/);
  });

  it.each([
    ['an HTTP error', 500, 'boom'],
    ['a non-JSON body', 200, '<html>'],
    ['an object instead of a list', 200, '{}'],
    ['a malformed transaction', 200, '[{"txid":"xyz","status":{},"vout":[]}]'],
    ['a fractional value', 200, `[{"txid":"${txid(1)}","status":{"confirmed":false},"vout":[{"scriptpubkey_address":"${ADDRESS}","value":1.5}]}]`],
  ])('fails with EsploraError on %s', async (_why, status, body) => {
    server = await startStandIn((_req, res) => sendJson(res, status, body));
    await expect(new EsploraClient(server.url).listAddressOutputs(ADDRESS)).rejects.toThrow(EsploraError);
  });

  it('fails on an unreachable server', async () => {
    await expect(new EsploraClient('http://127.0.0.1:9').listAddressOutputs(ADDRESS)).rejects.toThrow(EsploraError);
  });
});

describe('EsploraClient.tipHeight', () => {
  it('reads the tip height', async () => {
    server = await esplora([], []);
    expect(await new EsploraClient(server.url).tipHeight()).toBe(1234);
  });

  it.each(['', 'abc', '-1', '12.5'])('rejects %p', async (body) => {
    server = await startStandIn((_req, res) => void res.end(body));
    await expect(new EsploraClient(server.url).tipHeight()).rejects.toThrow(EsploraError);
  });

  it('reports the HTTP status', async () => {
    server = await startStandIn((_req, res) => sendJson(res, 502, 'bad gateway'));
    const err = await new EsploraClient(server.url).tipHeight().catch((e: unknown) => e);
    expect((err as EsploraError).status).toBe(502);
  });
});
