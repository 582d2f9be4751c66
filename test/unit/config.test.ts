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

describe('ADMIN_API_KEY strength', () => {
  test.each([
    ['aaaaaaaaaaaaaaaa', /ADMIN_API_KEY: too weak: it has 16 characters/],
    ['a'.repeat(48), /ADMIN_API_KEY: too weak: it uses only 1 different character;/],
    ['ab'.repeat(24), /ADMIN_API_KEY: too weak: it uses only 2 different characters/],
    ['12345678901234567890123456789012', /ADMIN_API_KEY: too weak: it carries about 106 bits/],
    ['Xy7_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaBcDeFgHiJk', /ADMIN_API_KEY: too weak: it repeats one character/],
  ])('%s is refused at start, naming the setting and how to generate a good one', (key, why) => {
    expect(() => loadConfig({ ADMIN_API_KEY: key })).toThrow(why);
    expect(() => loadConfig({ ADMIN_API_KEY: key })).toThrow(/Invalid configuration: .*openssl rand -base64 32/);
  });

  test('random keys from the usual generators are accepted, and so is the key the app generates itself', () => {
    const { randomBytes } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const { generatedAdminKey } = jest.requireActual<typeof import('../../src/infra/localSecrets')>('../../src/infra/localSecrets');
    for (let i = 0; i < 50; i++) {
      for (const key of [randomBytes(32).toString('base64'), randomBytes(32).toString('base64url'), randomBytes(16).toString('hex'), generatedAdminKey()]) {
        expect(loadConfig({ ADMIN_API_KEY: key }).adminApiKey).toBe(key);
      }
    }
  });
});
