import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { clientTransportOptions, temporalConnectionOptions, workerTransportOptions } from '../../src/temporal/connectionOptions';

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

describe('Temporal connection keepalive, reconnect and DNS spreading from the environment', () => {
  test('defaults: the SDK\'s keepalive (30 s ping, 15 s timeout), reconnects at most 10 s apart, one address', () => {
    const t = loadConfig({}).temporal.transport;
    expect(clientTransportOptions(t).channelArgs).toEqual({
      'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 15_000, 'grpc.keepalive_permit_without_calls': 1,
      'grpc.max_reconnect_backoff_ms': 10_000,
    });
    expect(workerTransportOptions(t)).toEqual({});
  });

  test('set: keepalive and the reconnect cap reach the client; DNS spreading reaches the client and the worker', () => {
    const t = loadConfig({
      TEMPORAL_KEEPALIVE_SECONDS: '12', TEMPORAL_KEEPALIVE_TIMEOUT_SECONDS: '4', TEMPORAL_RECONNECT_BACKOFF_MAX_SECONDS: '3',
      TEMPORAL_DNS_RESOLUTION_SECONDS: '20',
    }).temporal.transport;
    const args = clientTransportOptions(t).channelArgs;
    expect(args['grpc.keepalive_time_ms']).toBe(12_000);
    expect(args['grpc.keepalive_timeout_ms']).toBe(4_000);
    expect(args['grpc.max_reconnect_backoff_ms']).toBe(3_000);
    expect(JSON.parse(String(args['grpc.service_config']))).toEqual({ loadBalancingConfig: [{ round_robin: {} }] });
    expect(args['grpc.dns_min_time_between_resolutions_ms']).toBe(20_000);
    expect(workerTransportOptions(t)).toEqual({ dnsLoadBalancingConfig: { resolutionInterval: 20_000 } });
  });

  test('a keepalive under 10 s is refused at start (the server answers such pings with GOAWAY)', () => {
    expect(() => loadConfig({ TEMPORAL_KEEPALIVE_SECONDS: '5' })).toThrow(/TEMPORAL_KEEPALIVE_SECONDS: at least 10/);
  });
});
