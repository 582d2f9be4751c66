import fs from 'node:fs';
import { ChainRpcError } from './errors';
import { pinnedFetch, type FetchLike } from './pinnedFetch';
import type { BitcoinNetwork } from './network';

/** Connection settings of {@link BitcoinRpcClient}. */
export interface BitcoinRpcOptions {
  /** `http://user:pass@127.0.0.1:8332` (Bitcoin Core) or `https://…` (btcd); `BITCOIN_RPC_URL`. */
  url: string;
  /** Bitcoin Core's `.cookie` file (`BITCOIN_RPC_COOKIE`), read again when the node restarts and rejects the old one. */
  cookieFile?: string;
  /** The node's RPC certificate (btcd's `rpc.cert`), pinned for an `https` URL. */
  tlsCertPem?: string;
  timeoutMs?: number;
}

/** The few JSON-RPC calls a block scan needs; the same on Bitcoin Core and btcd. */
export class BitcoinRpcClient {
  private readonly endpoint: string;
  private readonly urlAuth: string | null;
  private readonly fetch: FetchLike;
  private cookieAuth: string | null = null;
  private nextId = 1;

  constructor(private readonly options: BitcoinRpcOptions) {
    const url = new URL(options.url);
    this.urlAuth = url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : null;
    url.username = '';
    url.password = '';
    this.endpoint = url.toString();
    this.fetch = options.tlsCertPem ? pinnedFetch(options.tlsCertPem) : (u, init) => fetch(u, init);
  }

  async getBlockCount(): Promise<number> {
    const height = await this.call('getblockcount', []);
    if (!Number.isSafeInteger(height) || (height as number) < 0) throw new ChainRpcError('getblockcount returned no height');
    return height as number;
  }

  async getBlockHash(height: number): Promise<string> {
    return hash64(await this.call('getblockhash', [height]), 'getblockhash');
  }

  /** The serialized block (verbosity 0), parsed by `parseRawBlock`. */
  async getRawBlock(hash: string): Promise<string> {
    const hex = await this.call('getblock', [hash, 0]);
    if (typeof hex !== 'string') throw new ChainRpcError('getblock returned no hex');
    return hex;
  }

  /** The node's network, named as in BITCOIN_NETWORK (Core says main/test/signet/regtest; btcd's getcurrentnet differs). */
  async network(): Promise<BitcoinNetwork> {
    const info = (await this.call('getblockchaininfo', [])) as { chain?: unknown } | null;
    const chain = String(info?.chain ?? '');
    const names: Record<string, BitcoinNetwork> = {
      main: 'mainnet', mainnet: 'mainnet', test: 'testnet', testnet: 'testnet', testnet3: 'testnet', testnet4: 'testnet',
      signet: 'signet', regtest: 'regtest', simnet: 'regtest',
    };
    const network = names[chain];
    if (!network) throw new ChainRpcError(`unknown chain "${chain}" from getblockchaininfo`);
    return network;
  }

  /** One JSON-RPC call; a 401 re-reads the cookie file once (the node restarted and wrote a new one). */
  async call(method: string, params: unknown[], retried = false): Promise<unknown> {
    const auth = this.auth(retried);
    let res: Response;
    try {
      res = await this.fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}) },
        body: JSON.stringify({ jsonrpc: '1.0', id: this.nextId++, method, params }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (err) {
      throw new ChainRpcError(`${method} failed: ${(err as Error).message}`);
    }
    if (res.status === 401 && this.options.cookieFile && !retried) return this.call(method, params, true);
    const text = await res.text();
    let body: { result?: unknown; error?: { code?: number; message?: string } | null };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new ChainRpcError(`${method} answered ${res.status}: ${text.slice(0, 120)}`, res.status);
    }
    if (body.error) throw new ChainRpcError(`${method}: ${body.error.message ?? JSON.stringify(body.error)}`, body.error.code);
    if (!res.ok) throw new ChainRpcError(`${method} answered ${res.status}`, res.status);
    return body.result;
  }

  private auth(reload: boolean): string | null {
    if (!this.options.cookieFile) return this.urlAuth;
    if (reload || this.cookieAuth === null) {
      try {
        this.cookieAuth = fs.readFileSync(this.options.cookieFile, 'utf8').trim();
      } catch (err) {
        throw new ChainRpcError(`cannot read the RPC cookie file ${this.options.cookieFile}: ${(err as Error).message}`);
      }
    }
    return this.cookieAuth;
  }
}

function hash64(value: unknown, method: string): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) throw new ChainRpcError(`${method} returned no block hash`);
  return value;
}
