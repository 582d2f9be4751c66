import { Writable } from 'node:stream';
import { startupBanner, type BannerInput } from '../../src/banner';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';

const base: BannerInput = {
  publicUrl: 'http://localhost:3000', adminKey: 'admin_from_env_0123456789abcdef', adminKeyFromEnv: true,
  demo: null, temporalUiUrl: null, webhooksAllowPrivateNetworks: false,
};

describe('what npm start prints', () => {
  test('an admin key from ADMIN_API_KEY is never printed', () => {
    const text = startupBanner(base);
    expect(text).not.toContain('admin_from_env_0123456789abcdef');
    expect(text).toContain('from ADMIN_API_KEY (not shown)');
  });

  test('a generated admin key is printed once, with how to keep one', () => {
    expect(startupBanner({ ...base, adminKeyFromEnv: false })).toContain('admin_from_env_0123456789abcdef   (generated for this run');
  });

  test('no demo lines unless the demo was made; a line when webhooks may reach private networks', () => {
    expect(startupBanner(base)).not.toMatch(/Demo/);
    const withDemo = startupBanner({ ...base, demo: { accountId: 'acct_demo', secretKey: 'sk_test_x', extraLines: ['  Demo checkout:  …'] }, webhooksAllowPrivateNetworks: true });
    expect(withDemo).toMatch(/Demo test key: {2}sk_test_x/);
    expect(withDemo).toMatch(/WEBHOOK_ALLOW_PRIVATE_NETWORKS=true; local development only/);
  });
});

describe('the demo is made only when asked', () => {
  test.each([
    [{}, true],
    [{ NODE_ENV: 'production' }, false],
    [{ DEMO: 'false' }, false],
    [{ NODE_ENV: 'production', DEMO: 'true' }, true],
    [{ NODE_ENV: 'development' }, true],
  ])('%j → demo %s', (env, demo) => {
    expect(loadConfig(env).demo).toBe(demo);
  });
});

test('secrets in log lines are censored wherever they sit', () => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  const log = createLogger('info', sink);
  log.info({ req: { headers: { authorization: 'Basic c2tfdGVzdF9zZWNyZXQ6' } } }, 'request');
  log.info({ body: { secret_key: 'sk_live_leak', secret: 'wsec_leak' }, config: { adminApiKey: 'admin_leak' } }, 'objects');
  log.info({ secret_key: 'sk_test_top', apiKey: 'tcloud_leak' }, 'top level');
  const text = lines.join('');
  for (const leak of ['c2tfdGVzdF9zZWNyZXQ6', 'sk_live_leak', 'wsec_leak', 'admin_leak', 'sk_test_top', 'tcloud_leak']) expect(text).not.toContain(leak);
  expect(text.match(/\[redacted\]/g)).toHaveLength(6);
});
