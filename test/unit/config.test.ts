import { loadConfig } from '../../src/config';

describe('configuration from the environment', () => {
  test('empty values are unset, as compose writes `${ESPLORA_URL:-}`: defaults apply and nothing throws', () => {
    const config = loadConfig({
      ESPLORA_URL: '', LND_REST_URL: '', LND_MACAROON_HEX: '', PORT: '', PUBLIC_URL: ' ', RATE_PROVIDER: '', DATABASE_URL: '',
    });
    expect(config.esplora).toBeUndefined();
    expect(config.lnd).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.rates.kind).toBe('static');
    expect(config.databaseUrl).toBeUndefined();
  });

  test('a set value is still validated and named in the error', () => {
    expect(() => loadConfig({ ESPLORA_URL: 'not a url' })).toThrow(/ESPLORA_URL/);
  });

  test('LND and Esplora settings become one object each, shared by every part', () => {
    const config = loadConfig({ LND_REST_URL: 'https://lnd:8080', LND_MACAROON_HEX: 'ab', ESPLORA_URL: 'https://esplora.example/api' });
    expect(config.lnd).toEqual({ url: 'https://lnd:8080', macaroonHex: 'ab' });
    expect(config.esplora).toMatchObject({ url: 'https://esplora.example/api', pollSeconds: 30, minConfirmations: 1 });
  });

  test('the Temporal CLI cache folder is configurable', () => {
    expect(loadConfig({ TEMPORAL_CLI_CACHE_DIR: '/tmp/tools' }).temporal.cliCacheDir).toBe('/tmp/tools');
  });
});
