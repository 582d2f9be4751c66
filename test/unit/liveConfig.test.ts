import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('live-mode configuration', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'live-config-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('defaults BITCOIN_NETWORK to mainnet and accepts the four networks, nothing else', () => {
    expect(loadConfig({}).bitcoinNetwork).toBe('mainnet');
    for (const n of ['mainnet', 'testnet', 'signet', 'regtest']) expect(loadConfig({ BITCOIN_NETWORK: n }).bitcoinNetwork).toBe(n);
    expect(() => loadConfig({ BITCOIN_NETWORK: 'testnet4' })).toThrow(/BITCOIN_NETWORK/);
  });

  it('treats empty values as unset', () => {
    const config = loadConfig({ BITCOIN_NETWORK: '', LND_REST_URL: '', ESPLORA_URL: ' ', PORT: '' });
    expect(config.bitcoinNetwork).toBe('mainnet');
    expect(config.lnd).toBeUndefined();
    expect(config.esplora).toBeUndefined();
    expect(config.port).toBe(3000);
  });

  it('reads the macaroon from LND_MACAROON_PATH as hex and pins the certificate from a path or base64', () => {
    const macaroon = path.join(dir, 'admin.macaroon');
    fs.writeFileSync(macaroon, Buffer.from([0x02, 0x01, 0xab]));
    const cert = path.join(dir, 'tls.cert');
    fs.writeFileSync(cert, PEM);
    const fromPath = loadConfig({ LND_REST_URL: 'https://127.0.0.1:8080', LND_MACAROON_PATH: macaroon, LND_TLS_CERT_PATH: cert });
    expect(fromPath.lnd).toMatchObject({ macaroonHex: '0201ab', tlsCertPem: PEM });
    const fromBase64 = loadConfig({ LND_REST_URL: 'https://127.0.0.1:8080', LND_TLS_CERT_BASE64: Buffer.from(PEM).toString('base64') });
    expect(fromBase64.lnd?.tlsCertPem).toBe(PEM);
  });

  it('refuses unreadable files, a non-PEM certificate and both forms of one setting, naming the variable', () => {
    const url = { LND_REST_URL: 'https://127.0.0.1:8080' };
    expect(() => loadConfig({ ...url, LND_MACAROON_PATH: path.join(dir, 'missing') })).toThrow(/LND_MACAROON_PATH.*ENOENT/);
    expect(() => loadConfig({ ...url, LND_TLS_CERT_BASE64: Buffer.from('hello').toString('base64') })).toThrow(/not a PEM/);
    expect(() => loadConfig({ ...url, LND_MACAROON_HEX: 'ab', LND_MACAROON_PATH: '/x' })).toThrow(/not both/);
  });

  it('configures the node chain source from BITCOIN_RPC_URL with the shared confirmation setting', () => {
    const config = loadConfig({ BITCOIN_RPC_URL: 'http://u:p@127.0.0.1:18443', BITCOIN_RPC_COOKIE: '/tmp/.cookie', ONCHAIN_MIN_CONFIRMATIONS: '3' });
    expect(config.bitcoinRpc).toEqual({ url: 'http://u:p@127.0.0.1:18443', cookieFile: '/tmp/.cookie', pollSeconds: 10, minConfirmations: 3 });
  });
});
