import { execFile, execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { accountBalance } from '../../src/db/ledger';
import { ADMIN_KEY, call, createMerchant, waitFor } from '../support/testSystem';
import { connectTransfers } from '../support/transferDestinations';
import { useTestSystem } from '../support/useTestSystem';

/**
 * schemathesis (a fuzzer this project did not write, pinned in scripts/install-schemathesis.sh) runs
 * every check it has (`--checks all`) in every phase (examples, coverage, fuzzing, stateful) against
 * the real system and its served /openapi.json, and must find nothing: no 5xx, no undocumented status
 * or response shape, no valid request refused, no invalid one accepted, 405 for undeclared methods.
 * No check is disabled and no operation excluded (the two runs, one per key, cover all of them).
 *
 * Its size is chosen for CI, where it runs inside the serial `npm test`: 10 examples per operation and
 * phase (the coverage phase adds its boundary cases: ~6,000 requests), 40 stateful scenarios
 * (test/support/schemathesis.toml), one worker, a fixed seed: about 3–4 minutes on an idle 2-core
 * machine. Findings it had, and their fixes, are in docs/generated-clients.md.
 *
 * The few rules OpenAPI 3.0 cannot state (preset min < max, transfers adding up to at most 100 %,
 * a currency's decimals, one of success_url / success_message, a dropdown needing options, a refund's
 * type and amount) and the rules about stored data (destination accounts, events and cursors that exist,
 * a balance and a real destination for money out) are applied to the valid requests it draws by
 * test/support/schemathesis_hooks.py; the document describes each of them. Invalid requests go as drawn.
 */
const python = spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;
if (!python) process.stdout.write('schemathesis.test.ts skipped: python3 is not on PATH (schemathesis is a Python program; .ci/run needs it)\n');
const maybe = python ? describe : describe.skip;

const ROOT = path.resolve(__dirname, '../..');
// Every create is allowed as often as a fuzzer likes (16 webhook endpoints per account by default), and
// the admin run's deliberate wrong and missing keys (the ignored_auth check) from one address do not
// lock that address out (10 failures by default; the lockout has its own test: securityAdminAuth.test.ts).
const sys = useTestSystem({ env: { WEBHOOK_MAX_ENDPOINTS: '1000', ADMIN_AUTH_MAX_FAILURES: '100000' } });
let st = '';
let merchantKey = '';
let partnerId = '';
const knownIds: Record<string, string> = {};

/** An address of the test system's network (regtest): what valid instant-send draws pay to. */
const REGTEST_ADDRESS = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';

beforeAll(async () => {
  if (!python) return;
  st = execFileSync('bash', [path.join(ROOT, 'scripts/install-schemathesis.sh')], { encoding: 'utf8', timeout: 10 * 60_000 }).trim();
  const m = await createMerchant(sys.baseUrl);
  const partner = await createMerchant(sys.baseUrl);
  await connectTransfers(sys.baseUrl, m.id, partner.id);
  merchantKey = m.key;
  partnerId = partner.id;
  // Some data to read: a partly paid session with a transfer, a webhook endpoint, links; a paid
  // 1 BTC session whose balance funds every payout, withdrawal link and refund the run makes.
  const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, m.key, method, route, body);
  const cs = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 10000, transfers: [{ destination_account: partner.id, percentage: 10 }] })).body;
  await api('POST', `/test-helpers/payments/${cs.payment_id}/receive`, { amount: 10000 });
  const funding = (await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 100_000_000 })).body;
  await api('POST', `/test-helpers/payments/${funding.payment_id}/receive`, { amount: 100_000_000 });
  await waitFor(() => api('GET', `/checkout-sessions/${funding.id}`), (r) => r.body.status === 'paid', 30_000);
  await waitFor(() => accountBalance(sys.db, m.id, false), (b) => b > 90_000_000n, 30_000);
  const transfers = await waitFor(() => api('GET', `/transfers?checkout_session=${cs.id}`), (r) => r.body.data?.length > 0, 30_000);
  const webhook = (await api('POST', '/webhooks', { url: 'https://hooks.example/orders', enabled_events: ['*'] })).body;
  const clink = (await api('POST', '/checkout-links', { currency: 'SATS', amount: 500 })).body;
  const plink = (await api('POST', '/payment-links', { currency: 'SATS', amount: 500 })).body;
  const created = async (route: string, body: unknown) => {
    const res = await api('POST', route, body);
    if (res.status !== 200) throw new Error(`${route}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  const first = async (route: string) => (await api('GET', route)).body.data[0].id as string;
  Object.assign(knownIds, {
    '/checkout-sessions': cs.id, '/payments': cs.payment_id, '/transfers': transfers.body.data[0].id, '/events': await first('/events'),
    '/balance-transactions': await first('/balance-transactions'), '/webhooks': webhook.id, '/checkout-links': clink.id, '/payment-links': plink.id,
    '/instant-sends': await created('/instant-sends', { withdraw_method: 'onchain', withdraw_request: REGTEST_ADDRESS, amount: 1000, currency: 'SATS' }),
    '/withdrawal-links': await created('/withdrawal-links', { currency: 'SATS', amount: 1000 }),
    '/refunds': await created('/refunds', { checkout_session: funding.id, type: 'partial', amount: 1000 }),
    funding: funding.id,
  });
}, 15 * 60_000);

/** One schemathesis run with every check over the operations `filter` selects; its exit code and output. */
async function schemathesis(name: string, key: string, filter: string[]): Promise<{ code: number; output: string }> {
  const args = [
    '--no-color', '--config-file', path.join(ROOT, 'test/support/schemathesis.toml'), 'run', `${sys.baseUrl}/openapi.json`, '--url', sys.baseUrl, '--auth', `${key}:`, ...filter,
    '--checks', 'all', '--phases', process.env.ST_PHASES ?? 'examples,coverage,fuzzing,stateful', '--max-examples', '10', '--workers', '1',
    '--seed', '42', '--generation-database', 'none', '--request-timeout', '20', '--continue-on-failure',
  ];
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(st, args, {
      cwd: os.tmpdir(), timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env, SCHEMATHESIS_HOOKS: path.join(ROOT, 'test/support/schemathesis_hooks.py'),
        PARTNER_ACCOUNT: partnerId, KNOWN_IDS: JSON.stringify(knownIds), ONCHAIN_ADDRESS: REGTEST_ADDRESS,
      },
    }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` }));
  });
  fs.mkdirSync(path.join(ROOT, '.generated'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, '.generated', `schemathesis-${name}.log`), result.output);
  const summary = result.output.split('\n').filter((l) => /generated,|(passed|failed|warning).* in [\d.]+s/.test(l)).map((l) => l.replace(/=+/g, '').trim());
  process.stdout.write(`schemathesis (${name}): ${summary.join(' | ')}\n`);
  return result;
}

/** Every operation the run selected was tested (none skipped for want of data or a schema error). */
function expectEveryOperationTested(output: string): void {
  const selected = /Selected: (\d+)\//.exec(output)?.[1];
  expect(selected).toBeDefined();
  expect(output).toMatch(new RegExp(`Tested: ${selected}\\b`));
}

maybe('schemathesis against the served document', () => {
  // Two runs, one per key: schemathesis 4.32 reuses one HTTP session (and its Basic credentials)
  // across operations, so per-operation credentials in one run would send the admin key everywhere.
  test('finds nothing with every check in every phase: the merchant API', async () => {
    const { code, output } = await schemathesis('merchant', merchantKey, ['--exclude-path-regex', '^/accounts']);
    expect([code, code === 0 ? '' : output.slice(-20_000)]).toEqual([0, '']);
    expectEveryOperationTested(output);
    expect(output).not.toMatch(/Authentication failed|⚠️/);
  }, 20 * 60_000);

  test('finds nothing with every check in every phase: the admin API', async () => {
    const { code, output } = await schemathesis('admin', ADMIN_KEY, ['--include-path-regex', '^/accounts']);
    expect([code, code === 0 ? '' : output.slice(-20_000)]).toEqual([0, '']);
    expectEveryOperationTested(output);
    expect(output).not.toMatch(/Authentication failed|⚠️/);
  }, 20 * 60_000);
});

describe('a request the current state refuses is a 409 (what schemathesis accepts of a valid request), with a code', () => {
  test('a taken user email is a 409 resource_already_exists; a redelivery to a disabled endpoint is a 409 unexpected_state', async () => {
    const m = await createMerchant(sys.baseUrl);
    const user = { email: `Owner-${m.id}@Shop.example`, role: 'owner' };
    expect((await call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${m.id}/users`, user)).status).toBe(200);
    const taken = await call(sys.baseUrl, ADMIN_KEY, 'POST', `/accounts/${m.id}/users`, { ...user, email: user.email.toLowerCase() });
    expect([taken.status, taken.body.errors[0]]).toEqual([409, expect.objectContaining({ param: 'email', code: 'resource_already_exists' })]);

    const api = (method: string, route: string, body?: unknown) => call(sys.baseUrl, m.key, method, route, body);
    await api('POST', '/checkout-sessions', { currency: 'SATS', amount: 1000 });
    const event = await waitFor(() => api('GET', '/events'), (r) => r.body.data?.length > 0, 30_000);
    const webhook = (await api('POST', '/webhooks', { url: 'https://hooks.example/orders', enabled_events: ['*'] })).body;
    expect((await api('POST', `/webhooks/${webhook.id}`, { disabled: true })).status).toBe(200);
    const refused = await api('POST', `/webhooks/${webhook.id}/redeliver`, { event: event.body.data[0].id });
    expect([refused.status, refused.body.errors[0].code]).toEqual([409, 'unexpected_state']);
  }, 120_000);
});
