import type { Logger } from 'pino';
import { EsploraError } from './errors';

/** One output paying the watched address. */
export interface AddressOutput {
  txid: string;
  vout: number;
  valueSats: bigint;
  confirmed: boolean;
  blockHeight: number | null;
}

/** Options of {@link EsploraClient}. */
export interface EsploraClientOptions {
  /** Per-request timeout; Esplora instances can hang under load. */
  timeoutMs?: number;
  /** Upper bound on confirmed-history pages, so a misbehaving server cannot loop us forever. */
  maxPages?: number;
  logger?: Logger;
}

// Esplora returns confirmed history in pages of 25 (plus up to 50 mempool txs on the first page).
const CHAIN_PAGE_SIZE = 25;

/** Minimal Esplora (Blockstream/mempool.space API) client: address outputs and the chain tip. */
export class EsploraClient {
  private readonly baseUrl: string;

  constructor(baseUrl: string, private readonly options: EsploraClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** Every output (confirmed and mempool) that pays exactly `address`, across all history pages. */
  async listAddressOutputs(address: string): Promise<AddressOutput[]> {
    const path = `/address/${encodeURIComponent(address)}/txs`;
    const outputs = new Map<string, AddressOutput>();
    let page = parseTxList(await this.getJson(path), path);
    const maxPages = this.options.maxPages ?? 1000;
    for (let pages = 1; ; pages++) {
      for (const tx of page) collectOutputs(tx, address, outputs);
      const confirmed = page.filter((tx) => tx.status.confirmed);
      // A short confirmed page means history is exhausted.
      if (confirmed.length < CHAIN_PAGE_SIZE) break;
      if (pages >= maxPages) throw new EsploraError(`address ${address} has more than ${maxPages} pages of history`);
      const lastSeen = confirmed[confirmed.length - 1].txid;
      const next = `${path}/chain/${encodeURIComponent(lastSeen)}`;
      page = parseTxList(await this.getJson(next), next);
    }
    this.options.logger?.debug({ address, outputs: outputs.size }, 'esplora address outputs');
    return [...outputs.values()];
  }

  /** Height of the current best block. */
  async tipHeight(): Promise<number> {
    const text = (await this.get('/blocks/tip/height')).trim();
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
      throw new EsploraError(`bad tip height from /blocks/tip/height: ${JSON.stringify(text.slice(0, 40))}`);
    }
    return Number(text);
  }

  private async getJson(path: string): Promise<unknown> {
    const text = await this.get(path);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new EsploraError(`${path} did not return JSON`);
    }
  }

  private async get(path: string): Promise<string> {
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000) });
    } catch (err) {
      throw new EsploraError(`GET ${path} failed: ${(err as Error).message}`);
    }
    const body = await res.text();
    if (!res.ok) throw new EsploraError(`GET ${path} answered ${res.status}: ${body.slice(0, 200)}`, res.status);
    return body;
  }
}

interface EsploraTx {
  txid: string;
  status: { confirmed: boolean; block_height?: number };
  vout: Array<{ scriptpubkey_address?: string; value: unknown }>;
}

function parseTxList(json: unknown, path: string): EsploraTx[] {
  if (!Array.isArray(json)) throw new EsploraError(`${path} did not return a transaction list`);
  for (const tx of json as EsploraTx[]) {
    if (
      typeof tx !== 'object' || tx === null || typeof tx.txid !== 'string' || !/^[0-9a-f]{64}$/.test(tx.txid) ||
      typeof tx.status !== 'object' || tx.status === null || typeof tx.status.confirmed !== 'boolean' ||
      !Array.isArray(tx.vout)
    ) {
      throw new EsploraError(`${path} returned a malformed transaction`);
    }
  }
  return json as EsploraTx[];
}

function collectOutputs(tx: EsploraTx, address: string, into: Map<string, AddressOutput>): void {
  tx.vout.forEach((out, vout) => {
    if (out?.scriptpubkey_address !== address) return;
    // Esplora values are integer sats as JSON numbers: exact only below 2^53, so check before BigInt.
    if (typeof out.value !== 'number' || !Number.isSafeInteger(out.value) || out.value < 0) {
      throw new EsploraError(`output ${tx.txid}:${vout} has an invalid value`);
    }
    const confirmed = tx.status.confirmed;
    const height = tx.status.block_height;
    into.set(`${tx.txid}:${vout}`, {
      txid: tx.txid,
      vout,
      valueSats: BigInt(out.value),
      confirmed,
      blockHeight: confirmed && typeof height === 'number' && Number.isSafeInteger(height) ? height : null,
    });
  });
}
