import fs from 'node:fs';
import path from 'node:path';
import { BitcoinRpcClient } from '../../../src/bitcoin';
import { startProcess, until, type NodeProcess } from './processes';

export const RPC_USER = 'regtest';
export const RPC_PASS = 'regtest-pass';

/** A running btcd: its RPC client and where to reach it. */
export interface Btcd {
  process: NodeProcess;
  rpc: BitcoinRpcClient;
  /** `http(s)://user:pass@127.0.0.1:port`. */
  rpcUrl: string;
  rpcPort: number;
  p2pPort: number | null;
  /** The RPC certificate (TLS nodes only). */
  rpcCertPath: string | null;
}

/**
 * Starts btcd on regtest. The backend (LND's chain source) serves RPC over TLS, as LND requires; the
 * miner has `--miningaddr` (btcd mines only there), connects to the backend and serves plain HTTP
 * RPC, the same shape as Bitcoin Core's, which the product's chain source reads.
 */
export async function startBtcd(bin: string, dir: string, opts: {
  name: string; rpcPort: number; p2pPort?: number; connect?: number; miningAddress?: string;
}): Promise<Btcd> {
  fs.mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'btcd.conf');
  fs.writeFileSync(configFile, ''); // else btcd writes a default config into ~/.btcd
  const tls = !opts.miningAddress;
  const args = [
    '--regtest', '--txindex', `--rpcuser=${RPC_USER}`, `--rpcpass=${RPC_PASS}`, `--rpclisten=127.0.0.1:${opts.rpcPort}`,
    '--nodnsseed', '--trickleinterval=50ms', `--configfile=${configFile}`, `--datadir=${path.join(dir, 'data')}`,
    `--logdir=${path.join(dir, 'logs')}`, '--debuglevel=info',
  ];
  if (tls) args.push(`--rpccert=${path.join(dir, 'rpc.cert')}`, `--rpckey=${path.join(dir, 'rpc.key')}`);
  else args.push('--notls');
  if (opts.p2pPort) args.push(`--listen=127.0.0.1:${opts.p2pPort}`);
  else args.push('--nolisten');
  if (opts.connect) args.push(`--connect=127.0.0.1:${opts.connect}`);
  if (opts.miningAddress) args.push(`--miningaddr=${opts.miningAddress}`);
  const process = startProcess(opts.name, path.join(bin, 'btcd'), args, path.join(dir, 'btcd.out'));
  const rpcCertPath = tls ? path.join(dir, 'rpc.cert') : null;
  if (rpcCertPath) await until(`${opts.name} rpc.cert`, async () => (fs.existsSync(rpcCertPath) ? true : undefined), 30_000);
  const scheme = tls ? 'https' : 'http';
  const rpcUrl = `${scheme}://${RPC_USER}:${RPC_PASS}@127.0.0.1:${opts.rpcPort}`;
  const rpc = new BitcoinRpcClient({ url: rpcUrl, tlsCertPem: rpcCertPath ? fs.readFileSync(rpcCertPath, 'utf8') : undefined });
  await until(`${opts.name} RPC`, () => rpc.getBlockCount(), 30_000);
  return { process, rpc, rpcUrl, rpcPort: opts.rpcPort, p2pPort: opts.p2pPort ?? null, rpcCertPath };
}
