import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateTestAccountKey } from '../src/bitcoin';
import { loadConfig } from '../src/config';
import { freePort } from '../src/infra/freePort';
import { createLogger } from '../src/logger';
import { installProcessGuards } from '../src/processGuards';
import { startSystem } from '../src/system';
import { RPC_PASS, RPC_USER } from '../test/support/regtest/btcd';
import { RegtestNetwork, startRegtestNetwork } from '../test/support/regtest/network';
import { regtestBinaries } from '../test/support/regtest/binaries';

/**
 * `npm run regtest`: a real regtest network (btcd + merchant and customer LND, the test harness) and
 * the product in live mode against it, then one live checkout and the commands that pay it from the
 * customer node. Ctrl-C stops everything and removes the temp folder.
 */
async function main(): Promise<void> {
  console.log('Starting btcd and two LND nodes on regtest (first run builds them: ~6 min)…');
  const network = await startRegtestNetwork();
  process.on('exit', () => network.killNow()); // never leave nodes behind, however the process ends
  const net = new RegtestNetwork(network.info);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-regtest-product-'));
  fs.chmodSync(dataDir, 0o755); // the embedded PostgreSQL runs as its own user and must reach its folder
  const port = Number(process.env.PORT ?? (await freePort()));
  const config = loadConfig({
    ...process.env, ...net.productEnv({ ONCHAIN_MIN_CONFIRMATIONS: '1' }), PORT: String(port), DATA_DIR: dataDir,
    TEMPORAL_PORT: String(await freePort()), TEMPORAL_UI_PORT: String(await freePort()), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const log = createLogger(config.logLevel);
  installProcessGuards(log); // Ctrl-C runs the shutdown below, not the Temporal runtime's own
  const system = await startSystem(config, log).catch(async (err: unknown) => {
    await network.stop();
    throw err;
  });
  const stop = async () => {
    await system.stop();
    await network.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  const api = async (key: string, route: string, body: unknown) => {
    const res = await fetch(`${system.url}${route}`, {
      method: 'POST', body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` },
    });
    if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  const account = await api(system.config.adminApiKey!, '/accounts', { name: 'Regtest shop', xpub: generateTestAccountKey('regtest').tpub });
  const liveKey = (await api(system.config.adminApiKey!, `/accounts/${account.id}/keys`, { livemode: true })).secret_key;
  const session = await api(liveKey, '/checkout-sessions', { currency: 'SATS', amount: 25000, title: 'Regtest order' });
  const payment = await (await fetch(`${system.url}/payments/${session.payment_id}`, {
    headers: { authorization: `Basic ${Buffer.from(`${liveKey}:`).toString('base64')}` },
  })).json() as any;

  const bin = regtestBinaries();
  const c = network.info.customer;
  const lncli = `${bin}/lncli --lnddir=${c.dir} --network=regtest --rpcserver=127.0.0.1:${c.rpcPort}`;
  const btcctl = `${bin}/btcctl --regtest --notls --rpcserver=${new URL(network.info.minerRpcUrl).host} --rpcuser=${RPC_USER} --rpcpass=${RPC_PASS}`;
  console.log([
    '',
    'Checkout is running in LIVE mode on regtest.',
    `  API:             ${system.url}   (admin key ${system.config.adminApiKey})`,
    `  Live key:        ${liveKey}   (account ${account.id})`,
    `  Live checkout:   ${session.url}`.replace(system.config.publicUrl, system.url!),
    '',
    'Pay it from the customer node, over Lightning:',
    `  ${lncli} payinvoice --force ${payment.payment_method_options.lightning.payment_request}`,
    'or on-chain (counted at 1 confirmation), then mine a block:',
    `  ${lncli} sendcoins --addr ${payment.payment_method_options.onchain.address} --amt 25000 --sat_per_vbyte 2`,
    `  ${btcctl} generate 1`,
    'Then:',
    `  curl -u ${liveKey}: ${system.url}/checkout-sessions/${session.id}`,
    '',
    'Ctrl-C stops the product and the network.',
  ].join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
