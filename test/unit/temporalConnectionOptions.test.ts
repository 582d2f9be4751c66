import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { temporalConnectionOptions } from '../../src/temporal/connectionOptions';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-opts-'));
const pem = (name: string, text: string) => { fs.writeFileSync(path.join(dir, name), text); return path.join(dir, name); };
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('Temporal connection security from the environment', () => {
  test('nothing set: a plain connection (the embedded dev server, or a private network)', () => {
    expect(temporalConnectionOptions(loadConfig({}).temporal.security)).toEqual({});
  });

  test('mTLS: certificate, key, CA and server name are read from their files', () => {
    const env = {
      TEMPORAL_TLS_CERT_PATH: pem('c.pem', 'CERT'), TEMPORAL_TLS_KEY_PATH: pem('k.pem', 'KEY'),
      TEMPORAL_TLS_CA_PATH: pem('ca.pem', 'CA'), TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    };
    const opts = temporalConnectionOptions(loadConfig(env).temporal.security);
    expect(opts.tls && Buffer.from(opts.tls.clientCertPair!.crt).toString()).toBe('CERT');
    expect(opts.tls && Buffer.from(opts.tls.clientCertPair!.key).toString()).toBe('KEY');
    expect(opts.tls && Buffer.from(opts.tls.serverRootCACertificate!).toString()).toBe('CA');
    expect(opts.tls && opts.tls.serverNameOverride).toBe('temporal.internal');
  });

  test('an API key turns TLS on with the system roots, unless TEMPORAL_TLS=false says otherwise', () => {
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_API_KEY: 'k1' }).temporal.security)).toEqual({ tls: {}, apiKey: 'k1' });
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_API_KEY: 'k1', TEMPORAL_TLS: 'false' }).temporal.security)).toEqual({ tls: false, apiKey: 'k1' });
  });

  test('a certificate without its key (or the reverse) is refused at start, naming both variables', () => {
    expect(() => temporalConnectionOptions(loadConfig({ TEMPORAL_TLS_CERT_PATH: pem('only.pem', 'C') }).temporal.security))
      .toThrow(/TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH/);
    expect(() => temporalConnectionOptions(loadConfig({ TEMPORAL_TLS_KEY_PATH: pem('only.key', 'K') }).temporal.security))
      .toThrow(/TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH/);
  });
});
