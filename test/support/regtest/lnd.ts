import fs from 'node:fs';
import path from 'node:path';
import { pinnedFetch, type FetchLike } from '../../../src/bitcoin';
import { RPC_PASS, RPC_USER, type Btcd } from './btcd';
import { startProcess, until, type NodeProcess } from './processes';

/** Where an LND node is, enough to reach it again from another process (a test file). */
export interface LndInfo {
  name: string;
  dir: string;
  restUrl: string;
  /** gRPC port (`lncli --rpcserver=127.0.0.1:<port>`). */
  rpcPort: number;
  p2pPort: number;
  tlsCertPath: string;
  adminMacaroonPath: string;
  invoiceMacaroonPath: string;
}

/** Starts LND on regtest against the btcd backend, wallet created unlocked (`--noseedbackup`). */
export async function startLnd(bin: string, dir: string, backend: Btcd, ports: { rpc: number; rest: number; p2p: number }, name: string): Promise<{ info: LndInfo; process: NodeProcess }> {
  fs.mkdirSync(dir, { recursive: true });
  const args = [
    `--lnddir=${dir}`, '--noseedbackup', '--bitcoin.regtest', '--bitcoin.node=btcd',
    `--btcd.rpchost=127.0.0.1:${backend.rpcPort}`, `--btcd.rpcuser=${RPC_USER}`, `--btcd.rpcpass=${RPC_PASS}`,
    `--btcd.rpccert=${backend.rpcCertPath}`, `--rpclisten=127.0.0.1:${ports.rpc}`, `--restlisten=127.0.0.1:${ports.rest}`,
    `--listen=127.0.0.1:${ports.p2p}`, '--nobootstrap', '--trickledelay=50', `--alias=${name}`, '--debuglevel=info',
  ];
  const process = startProcess(name, path.join(bin, 'lnd'), args, path.join(dir, 'lnd.out'));
  const macaroons = path.join(dir, 'data', 'chain', 'bitcoin', 'regtest');
  const info: LndInfo = {
    name, dir, restUrl: `https://127.0.0.1:${ports.rest}`, rpcPort: ports.rpc, p2pPort: ports.p2p, tlsCertPath: path.join(dir, 'tls.cert'),
    adminMacaroonPath: path.join(macaroons, 'admin.macaroon'), invoiceMacaroonPath: path.join(macaroons, 'invoice.macaroon'),
  };
  await until(`${name} macaroon`, async () => (fs.existsSync(info.adminMacaroonPath) && fs.existsSync(info.tlsCertPath) ? true : undefined), 180_000);
  return { info, process };
}

/** REST calls on one LND node with its admin macaroon and pinned certificate: what the tests drive nodes with. */
export class LndClient {
  private readonly fetch: FetchLike;
  private readonly macaroon: string;

  constructor(readonly info: LndInfo) {
    this.fetch = pinnedFetch(fs.readFileSync(info.tlsCertPath, 'utf8'));
    this.macaroon = fs.readFileSync(info.adminMacaroonPath).toString('hex');
  }

  async get<T = any>(route: string): Promise<T> {
    return this.request<T>('GET', route);
  }

  async post<T = any>(route: string, body: unknown): Promise<T> {
    return this.request<T>('POST', route, body);
  }

  /** A request whose answer is newline-delimited JSON (a server stream): every message, once it ends. */
  async stream(route: string, body: unknown, timeoutMs = 60_000): Promise<any[]> {
    const res = await this.fetch(`${this.info.restUrl}${route}`, {
      method: 'POST', headers: { 'Grpc-Metadata-macaroon': this.macaroon, 'content-type': 'application/json' },
      body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${this.info.name} POST ${route} answered ${res.status}: ${text.slice(0, 300)}`);
    return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  }

  private async request<T>(method: string, route: string, body?: unknown): Promise<T> {
    const res = await this.fetch(`${this.info.restUrl}${route}`, {
      method, headers: { 'Grpc-Metadata-macaroon': this.macaroon, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${this.info.name} ${method} ${route} answered ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }

  async pubkey(): Promise<string> {
    return (await this.get<{ identity_pubkey: string }>('/v1/getinfo')).identity_pubkey;
  }

  async newAddress(): Promise<string> {
    return (await this.get<{ address: string }>('/v1/newaddress?type=WITNESS_PUBKEY_HASH')).address;
  }

  /** Waits until the node is fully started and synced to `height` (or just synced). */
  async waitSynced(height?: number, timeoutMs = 60_000): Promise<void> {
    await until(`${this.info.name} synced${height !== undefined ? ` to ${height}` : ''}`, async () => {
      const state = await this.fetch(`${this.info.restUrl}/v1/state`).then((r) => r.json()) as { state?: string };
      if (state.state !== 'SERVER_ACTIVE') return undefined;
      const info = await this.get<{ synced_to_chain: boolean; block_height: number }>('/v1/getinfo');
      return info.synced_to_chain && (height === undefined || info.block_height >= height) ? true : undefined;
    }, timeoutMs, 100);
  }

  /** Pays a BOLT11 invoice (`POST /v2/router/send`); returns the final payment update. */
  async payInvoice(paymentRequest: string): Promise<{ status: string; payment_hash: string; failure_reason?: string }> {
    const updates = await this.stream('/v2/router/send', { payment_request: paymentRequest, timeout_seconds: 30, fee_limit_sat: '100' });
    const last = updates.map((u) => u.result ?? u).pop();
    if (!last) throw new Error('no payment update');
    return last;
  }

  /** Sends on-chain (`POST /v1/transactions`, what `lncli sendcoins` does); returns the txid. */
  async sendCoins(address: string, amountSats: bigint): Promise<string> {
    return (await this.post<{ txid: string }>('/v1/transactions', { addr: address, amount: amountSats.toString(), sat_per_vbyte: '2' })).txid;
  }

  /** One transaction with several outputs (`POST /v1/transactions/many`, `lncli sendmany`). */
  async sendMany(outputs: Record<string, bigint>): Promise<string> {
    const AddrToAmount = Object.fromEntries(Object.entries(outputs).map(([a, v]) => [a, v.toString()]));
    return (await this.post<{ txid: string }>('/v1/transactions/many', { AddrToAmount, sat_per_vbyte: '2' })).txid;
  }
}
