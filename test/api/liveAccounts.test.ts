import { randomBytes } from 'node:crypto';
import { HDKey } from '@scure/bip32';
import { generateTestAccountKey } from '../../src/bitcoin';
import { ADMIN_KEY, call } from '../support/testSystem';
import { useTestSystem } from '../support/useTestSystem';

// A BIP84 mainnet account xpub (m/84'/0'/0') of a random seed.
const MAINNET_XPUB = HDKey.fromMasterSeed(randomBytes(32)).derive("m/84'/0'/0'").publicExtendedKey;

describe('live xpubs must match BITCOIN_NETWORK', () => {
  const sys = useTestSystem({ env: { BITCOIN_NETWORK: 'regtest' } });
  const admin = (method: string, route: string, body?: unknown) => call(sys.baseUrl, ADMIN_KEY, method, route, body);

  test('create: a mainnet xpub on a regtest deployment is a 400 naming xpub; a tpub is taken', async () => {
    const wrong = await admin('POST', '/accounts', { name: 'Shop', xpub: MAINNET_XPUB });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0]).toMatchObject({ param: 'xpub' });
    expect(wrong.body.errors[0].message).toMatch(/BITCOIN_NETWORK=regtest.*mainnet key/);
    const tpub = generateTestAccountKey('regtest').tpub;
    const ok = await admin('POST', '/accounts', { name: 'Shop', xpub: tpub });
    expect(ok.status).toBe(200);
    expect(ok.body.xpub).toBe(tpub);
  });

  test('update: the same check, nothing written on refusal; null removes the key', async () => {
    const tpub = generateTestAccountKey('regtest').tpub;
    const account = (await admin('POST', '/accounts', { name: 'Shop', xpub: tpub })).body;
    const wrong = await admin('POST', `/accounts/${account.id}`, { xpub: MAINNET_XPUB });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].param).toBe('xpub');
    const other = generateTestAccountKey('regtest').tpub;
    expect((await admin('POST', `/accounts/${account.id}`, { xpub: other, name: 'Renamed' })).body).toMatchObject({ xpub: other, name: 'Renamed' });
    expect((await admin('POST', `/accounts/${account.id}`, { xpub: '' })).body.xpub).toBeNull();
    expect((await admin('POST', '/accounts/acct_nope', { name: 'x' })).status).toBe(404);
  });
});

describe('on a mainnet deployment (the default)', () => {
  const sys = useTestSystem();

  test('a testnet/regtest tpub is refused with a 400 naming xpub', async () => {
    const res = await call(sys.baseUrl, ADMIN_KEY, 'POST', '/accounts', { name: 'Shop', xpub: generateTestAccountKey('regtest').tpub });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ param: 'xpub' });
    expect((await call(sys.baseUrl, ADMIN_KEY, 'POST', '/accounts', { name: 'Shop', xpub: MAINNET_XPUB })).status).toBe(200);
  });
});
