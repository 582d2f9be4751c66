import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BitcoinRpcClient } from '../../../src/bitcoin';
import { freePort } from '../../../src/infra/freePort';
import { regtestBinaries } from './binaries';
import { startBtcd } from './btcd';
import { LndClient, startLnd, type LndInfo } from './lnd';
import type { NodeProcess } from './processes';
import { until } from './processes';

/** What a test file needs to reach the running network (JSON in CHECKOUT_REGTEST_NETWORK). */
export interface RegtestNetworkInfo {
  dir: string;
  /** The miner's plain-HTTP RPC URL: the product's BITCOIN_RPC_URL. */
  minerRpcUrl: string;
  backendRpcUrl: string;
  backendRpcCertPath: string;
  merchant: LndInfo;
  customer: LndInfo;
}

/** A started network with the processes to stop. */
export interface StartedNetwork {
  info: RegtestNetworkInfo;
  stop(): Promise<void>;
  /** Synchronous last resort (a process `exit` handler): SIGKILL to every node still running. */
  killNow(): void;
}

const CHANNEL_SATS = 5_000_000n;

/**
 * Starts btcd (backend, TLS RPC), two LND nodes on it (merchant = the platform's node, customer), a
 * second btcd that mines to the customer's wallet, 150 blocks (spendable coinbase), and a channel
 * customer → merchant, so the merchant can receive Lightning payments. All on 127.0.0.1 free ports,
 * in a temp folder that `stop()` removes (set KEEP_REGTEST=1 to keep logs).
 */
export async function startRegtestNetwork(baseDir?: string): Promise<StartedNetwork> {
  const bin = regtestBinaries();
  const dir = baseDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-regtest-'));
  const processes: NodeProcess[] = [];
  const stop = async () => {
    for (const p of processes.reverse()) await p.stop().catch(() => undefined);
    if (!process.env.KEEP_REGTEST && !baseDir) fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = () => freePort();
    const backend = await startBtcd(bin, path.join(dir, 'btcd'), { name: 'btcd', rpcPort: await port(), p2pPort: await port() });
    processes.push(backend.process);
    const [merchant, customer] = await Promise.all([
      (async () => startLnd(bin, path.join(dir, 'merchant'), backend, { rpc: await port(), rest: await port(), p2p: await port() }, 'merchant'))(),
      (async () => startLnd(bin, path.join(dir, 'customer'), backend, { rpc: await port(), rest: await port(), p2p: await port() }, 'customer'))(),
    ]);
    processes.push(merchant.process, customer.process);
    const customerLnd = new LndClient(customer.info);
    const miningAddress = await until('customer address', () => customerLnd.newAddress(), 180_000);
    const miner = await startBtcd(bin, path.join(dir, 'miner'), { name: 'miner', rpcPort: await port(), connect: backend.p2pPort!, miningAddress });
    processes.push(miner.process);
    const info: RegtestNetworkInfo = {
      dir, minerRpcUrl: miner.rpcUrl, backendRpcUrl: backend.rpcUrl, backendRpcCertPath: backend.rpcCertPath!,
      merchant: merchant.info, customer: customer.info,
    };
    const net = new RegtestNetwork(info);
    await net.mine(150);
    await openChannel(net);
    return { info, stop, killNow: () => processes.forEach((p) => p.child.kill('SIGKILL')) };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function openChannel(net: RegtestNetwork): Promise<void> {
  const merchantKey = await net.merchant.pubkey();
  await net.customer.post('/v1/peers', { addr: { pubkey: merchantKey, host: `127.0.0.1:${net.info.merchant.p2pPort}` }, perm: false });
  const open = await net.customer.post<{ funding_txid_bytes?: string }>('/v1/channels', {
    node_pubkey: Buffer.from(merchantKey, 'hex').toString('base64'), local_funding_amount: CHANNEL_SATS.toString(), sat_per_vbyte: '2',
  });
  if (!open.funding_txid_bytes) throw new Error(`channel open failed: ${JSON.stringify(open)}`);
  // The funding transaction is in the miner's mempool once btcd relayed it (trickle 50 ms).
  await until('channel funding in the mempool', async () => ((await net.mempool()).length > 0 ? true : undefined), 30_000);
  await net.mine(6);
  await until('an active channel', async () => {
    const { channels } = await net.customer.get<{ channels?: { active: boolean }[] }>('/v1/channels?active_only=true');
    return channels?.some((c) => c.active) ? true : undefined;
  }, 60_000);
}

/** Test-side handle of a running network: the two LND clients and the miner. */
export class RegtestNetwork {
  readonly merchant: LndClient;
  readonly customer: LndClient;
  readonly miner: BitcoinRpcClient;

  constructor(readonly info: RegtestNetworkInfo) {
    this.merchant = new LndClient(info.merchant);
    this.customer = new LndClient(info.customer);
    this.miner = new BitcoinRpcClient({ url: info.minerRpcUrl });
  }

  /** The network the global setup started (test files call this). */
  static fromEnv(): RegtestNetwork {
    const raw = process.env.CHECKOUT_REGTEST_NETWORK;
    if (!raw) throw new Error('CHECKOUT_REGTEST_NETWORK is unset: run through the jest project "regtest"');
    return new RegtestNetwork(JSON.parse(raw) as RegtestNetworkInfo);
  }

  /** The product's live-mode settings against this network. */
  productEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      BITCOIN_NETWORK: 'regtest',
      LND_REST_URL: this.info.merchant.restUrl,
      LND_MACAROON_PATH: this.info.merchant.invoiceMacaroonPath,
      LND_TLS_CERT_PATH: this.info.merchant.tlsCertPath,
      BITCOIN_RPC_URL: this.info.minerRpcUrl,
      BITCOIN_RPC_POLL_SECONDS: '0.2',
      // Fixed, so a restarted product derives the same invoice preimages (as one deployment's workers must).
      LND_INVOICE_SECRET: '5a'.repeat(32),
      ...extra,
    };
  }

  async height(): Promise<number> {
    return this.miner.getBlockCount();
  }

  async mempool(): Promise<string[]> {
    return (await this.miner.call('getrawmempool', [])) as string[];
  }

  /** Waits until `txid` reached the miner's mempool (relayed from the backend). */
  async waitInMempool(txid: string): Promise<void> {
    await until(`${txid} in the mempool`, async () => ((await this.mempool()).includes(txid) ? true : undefined), 30_000, 50);
  }

  /** Waits until the product's chain scan (its `chain_blocks` cursor in `db`) reached `height`. */
  async waitScanned(db: { (table: string): any }, height: number): Promise<void> {
    await until(`chain scan at ${height}`, async () => {
      const row = await db('chain_blocks').max({ h: 'height' }).first();
      return Number(row?.h ?? -1) >= height ? true : undefined;
    }, 30_000, 50);
  }

  /** Mines `n` blocks and waits until both LND nodes have seen them. */
  async mine(n: number): Promise<number> {
    await this.miner.call('generate', [n]);
    const height = await this.height();
    await Promise.all([this.merchant.waitSynced(height), this.customer.waitSynced(height)]);
    return height;
  }
}
