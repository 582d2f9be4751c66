import { HDKey } from '@scure/bip32';
import { Address } from '@scure/btc-signer';
import { pbkdf2 } from '@noble/hashes/pbkdf2.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { p2wpkh, TEST_NETWORK } from '@scure/btc-signer';
import {
  deriveReceiveAddress,
  generateTestAccountKey,
  isValidAddress,
  parseExtendedPublicKey,
} from '../../../src/bitcoin/onchain';
import { InvalidDerivationIndexError, InvalidExtendedKeyError, UnsupportedNetworkError } from '../../../src/bitcoin/errors';

// BIP84 test vector: mnemonic "abandon abandon … about", no passphrase.
const MNEMONIC = `${'abandon '.repeat(11)}about`;
// BIP39 seed = PBKDF2-HMAC-SHA512(mnemonic, "mnemonic", 2048) (no bip39 package needed for one vector).
const SEED = pbkdf2(sha512, MNEMONIC, 'mnemonic', { c: 2048, dkLen: 64 });
const BIP84_ZPUB =
  'zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs';
const BIP84_ADDRESS_0 = 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu';
const BIP84_ADDRESS_1 = 'bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g';
const TESTNET_VERSIONS = { public: 0x043587cf, private: 0x04358394 };
const VPUB_VERSIONS = { public: 0x045f1cf6, private: 0x045f18bc };

const mainAccount = HDKey.fromMasterSeed(SEED).derive("m/84'/0'/0'");
const XPUB = mainAccount.publicExtendedKey;
const testAccount = HDKey.fromMasterSeed(SEED, TESTNET_VERSIONS).derive("m/84'/1'/0'");
const TPUB = testAccount.publicExtendedKey;

/** The same public key material serialised with other version bytes (SLIP-132 zpub/vpub…). */
function reserialize(key: HDKey, versions: { public: number; private: number }): string {
  return new HDKey({
    versions, depth: key.depth, index: key.index, parentFingerprint: key.parentFingerprint,
    chainCode: key.chainCode!, publicKey: key.publicKey!,
  }).publicExtendedKey;
}

describe('deriveReceiveAddress', () => {
  it('matches the BIP84 vector from the xpub and from the zpub', () => {
    expect(XPUB.startsWith('xpub')).toBe(true);
    expect(deriveReceiveAddress(XPUB, 0, 'mainnet')).toBe(BIP84_ADDRESS_0);
    expect(deriveReceiveAddress(XPUB, 1, 'mainnet')).toBe(BIP84_ADDRESS_1);
    expect(deriveReceiveAddress(BIP84_ZPUB, 0, 'mainnet')).toBe(BIP84_ADDRESS_0);
    expect(parseExtendedPublicKey(BIP84_ZPUB, 'mainnet').prefix).toBe('zpub');
  });

  it('derives tb1 (testnet) and bcrt1 (regtest) addresses with the same witness program', () => {
    const tb = deriveReceiveAddress(TPUB, 0, 'testnet');
    const rt = deriveReceiveAddress(TPUB, 0, 'regtest');
    // Well-known first BIP84 testnet address of the "abandon … about" wallet.
    expect(tb).toBe('tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl');
    expect(rt.startsWith('bcrt1q')).toBe(true);
    const regtestNet = { ...TEST_NETWORK, bech32: 'bcrt' };
    expect(Address(regtestNet).decode(rt)).toEqual(Address(TEST_NETWORK).decode(tb));
    expect(deriveReceiveAddress(reserialize(testAccount, VPUB_VERSIONS), 0, 'testnet')).toBe(tb);
  });

  it('agrees with derivation from the private key along the full path', () => {
    for (const index of [0, 7, 2 ** 31 - 1]) {
      const child = HDKey.fromMasterSeed(SEED, TESTNET_VERSIONS).derive(`m/84'/1'/0'/0/${index}`);
      expect(deriveReceiveAddress(TPUB, index, 'regtest')).toBe(p2wpkh(child.publicKey!, { ...TEST_NETWORK, bech32: 'bcrt' }).address);
    }
  });

  it.each([-1, 1.5, 2 ** 31, Number.NaN])('refuses index %p', (index) => {
    expect(() => deriveReceiveAddress(TPUB, index, 'regtest')).toThrow(InvalidDerivationIndexError);
  });
});

describe('parseExtendedPublicKey', () => {
  const rejects: Array<[string, () => string, 'mainnet' | 'testnet' | 'regtest', RegExp]> = [
    ['garbage', () => 'hello world', 'mainnet', /base58check/],
    ['empty', () => '', 'mainnet', /empty/],
    ['a checksum typo', () => XPUB.slice(0, 20) + (XPUB[20] === 'a' ? 'b' : 'a') + XPUB.slice(21), 'mainnet', /base58check/],
    ['an xprv', () => mainAccount.privateExtendedKey, 'mainnet', /private key \(xprv\)/],
    ['a tprv', () => testAccount.privateExtendedKey, 'testnet', /private key \(tprv\)/],
    ['a tpub on mainnet', () => TPUB, 'mainnet', /tpub is a testnet key but the network is mainnet/],
    ['an xpub on testnet', () => XPUB, 'testnet', /xpub is a mainnet key but the network is testnet/],
    ['an xpub on regtest', () => XPUB, 'regtest', /network is regtest/],
    ['a BIP49 ypub', () => reserialize(mainAccount, { public: 0x049d7cb2, private: 0x049d7878 }), 'mainnet', /BIP49/],
    ['a root (depth 0) key', () => HDKey.fromMasterSeed(SEED).publicExtendedKey, 'mainnet', /depth 0/],
    ['a bitcoin address', () => BIP84_ADDRESS_0, 'mainnet', /base58check/],
  ];
  it.each(rejects)('rejects %s with a clear message', (_why, key, network, message) => {
    expect(() => parseExtendedPublicKey(key(), network)).toThrow(InvalidExtendedKeyError);
    expect(() => parseExtendedPublicKey(key(), network)).toThrow(message);
  });

  it('tolerates surrounding whitespace (pasted keys)', () => {
    expect(parseExtendedPublicKey(`  ${TPUB}\n`, 'testnet').hdKey.depth).toBe(3);
  });

  it('refuses an unknown network name from untyped config', () => {
    expect(() => parseExtendedPublicKey(XPUB, 'liquid' as never)).toThrow(UnsupportedNetworkError);
  });

  it('takes testnet keys on signet (signet addresses are tb1…) and refuses mainnet keys there', () => {
    expect(parseExtendedPublicKey(TPUB, 'signet').hdKey.depth).toBe(3);
    expect(() => parseExtendedPublicKey(XPUB, 'signet')).toThrow(/network is signet/);
  });
});

describe('generateTestAccountKey', () => {
  it('makes a fresh BIP84 testnet account whose tprv and tpub derive the same addresses', () => {
    const { tpub, tprv } = generateTestAccountKey('regtest');
    expect(tpub.startsWith('tpub')).toBe(true);
    expect(tprv.startsWith('tprv')).toBe(true);
    const priv = HDKey.fromExtendedKey(tprv, TESTNET_VERSIONS);
    expect(priv.depth).toBe(3);
    expect(priv.index).toBe(0x80000000); // account 0'
    const fromPriv = p2wpkh(priv.derive('m/0/5').publicKey!, { ...TEST_NETWORK, bech32: 'bcrt' }).address;
    expect(deriveReceiveAddress(tpub, 5, 'regtest')).toBe(fromPriv);
    expect(generateTestAccountKey('testnet').tpub).not.toBe(tpub);
  });

  it('is refused on mainnet', () => {
    expect(() => generateTestAccountKey('mainnet')).toThrow(UnsupportedNetworkError);
  });
});

describe('isValidAddress', () => {
  const cases: Array<[string, 'mainnet' | 'testnet' | 'regtest', boolean]> = [
    [BIP84_ADDRESS_0, 'mainnet', true],
    [BIP84_ADDRESS_0.toUpperCase(), 'mainnet', true],
    ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', 'mainnet', true],
    ['3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy', 'mainnet', true],
    ['bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr', 'mainnet', true],
    ['tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl', 'testnet', true],
    ['tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl', 'mainnet', false],
    ['tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl', 'regtest', false],
    [BIP84_ADDRESS_0, 'testnet', false],
    [BIP84_ADDRESS_0, 'regtest', false],
    ['bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyv', 'mainnet', false], // checksum typo
    ['bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fy', 'mainnet', false], // truncated
    ['mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn', 'testnet', true],
    ['mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn', 'mainnet', false],
    ['', 'mainnet', false],
    ['hello', 'regtest', false],
  ];
  it.each(cases)('%s on %s → %s', (address, network, valid) => {
    expect(isValidAddress(address, network)).toBe(valid);
  });

  it('accepts freshly derived regtest addresses and rejects them elsewhere', () => {
    const address = deriveReceiveAddress(TPUB, 3, 'regtest');
    expect(isValidAddress(address, 'regtest')).toBe(true);
    expect(isValidAddress(address, 'testnet')).toBe(false);
  });
});
