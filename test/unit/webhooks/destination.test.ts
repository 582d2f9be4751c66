import os from 'node:os';
import fc from 'fast-check';
import {
  assertDeliverableUrl,
  blockedIpReason,
  InvalidWebhookUrlError,
  resolveAndCheck,
  WebhookDnsError,
  type HostResolver,
} from '../../../src/webhooks';

/** The default (both modes): public addresses only. */
const strict = { allowPrivateNetworks: false };
/** WEBHOOK_ALLOW_PRIVATE_NETWORKS=true: the operator's local development. */
const open = { allowPrivateNetworks: true };

/** Stand-in for DNS answers (node:dns, not our code): name → addresses. */
const fakeDns =
  (answers: Record<string, string[]>): HostResolver =>
  async (host) => {
    const found = answers[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('assertDeliverableUrl', () => {
  it.each(['ftp://example.com/hook', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', '/relative'])(
    'rejects %s whatever the policy',
    (url) => {
      expect(() => assertDeliverableUrl(url, strict)).toThrow(InvalidWebhookUrlError);
      expect(() => assertDeliverableUrl(url, open)).toThrow(InvalidWebhookUrlError);
    },
  );

  it('names the bad scheme', () => {
    expect(() => assertDeliverableUrl('ftp://example.com', open)).toThrow(/http: or https:.*ftp:/);
  });

  it.each([
    ['http://127.0.0.1/hook', /loopback/],
    ['http://127.8.9.10/', /loopback/],
    ['http://10.0.0.1/hook', /private 10\./],
    ['http://172.16.5.4/', /private 172\.16/],
    ['http://172.31.255.255/', /private 172\.16/],
    ['http://192.168.1.1/', /private 192\.168/],
    ['http://169.254.169.254/latest/meta-data', /link-local/],
    ['http://100.64.0.1/', /carrier-grade NAT/],
    ['http://100.127.255.255/', /carrier-grade NAT/],
    ['http://0.0.0.0:8080/', /this network/],
    ['http://2130706433/', /loopback/], // decimal form, normalized by the URL parser
    ['http://0x7f.1/', /loopback/],
    ['http://localhost/hook', /localhost/],
    ['http://LOCALHOST.:3000/', /localhost/],
    ['http://api.localhost/', /api\.localhost/],
    ['http://[::1]/', /loopback ::1/],
    ['http://[::]/', /unspecified/],
    ['http://[::ffff:127.0.0.1]/', /IPv4-mapped loopback/],
    ['http://[::ffff:a00:1]/', /IPv4-mapped private 10\./],
    ['http://[64:ff9b::a9fe:a9fe]/', /NAT64 link-local/],
    ['http://[2002:c0a8:101::1]/', /6to4 2002::\/16/],
    ['http://[fd12:3456::1]/', /unique-local/],
    ['http://[fc00::1]/', /unique-local/],
    ['http://[fe80::1]/', /link-local fe80/],
    ['http://[64:ff9b:1::a00:1]/', /local-use NAT64/],
    ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', /Teredo/],
    ['http://[::ffff:0:7f00:1]/', /IPv4-translated loopback/],
    ['http://[2001:db8::1]/', /documentation/],
    ['http://224.0.0.1/', /multicast/],
    ['http://255.255.255.255/', /broadcast/],
    // IANA IPv4 special-purpose ranges (RFC 6890 registry) beyond the private and loopback ones.
    ['http://192.0.2.2:9911/internal-admin', /192\.0\.2\.0\/24/],
    ['http://198.51.100.7/', /198\.51\.100\.0\/24/],
    ['http://203.0.113.5/', /203\.0\.113\.0\/24/],
    ['http://192.88.99.1/', /192\.88\.99\.0\/24/],
    ['http://198.19.255.1/', /198\.18\.0\.0\/15/],
    ['http://240.0.0.1/', /240\.0\.0\.0\/4/],
    ['http://192.0.0.170/', /192\.0\.0\.0\/24/],
    ['http://192.31.196.1/', /AS112/],
    ['http://192.52.193.1/', /AMT/],
    // Non-global IPv6: IPv4-compatible ::/96 (also with a leading zero octet), outside 2000::/3, IANA's newer entries.
    ['http://[::2]/', /IPv4-compatible/],
    ['http://[::8.8.8.8]/', /IPv4-compatible/],
    ['http://[::127.0.0.1]/', /IPv4-compatible/],
    ['http://[100:0:0:1::1]/', /outside global unicast/],
    ['http://[4000::1]/', /outside global unicast/],
    ['http://[3fff::1]/', /3fff::\/20/],
    ['http://[5f00::1]/', /segment routing/],
    ['http://[2001:2::1]/', /benchmarking/],
    ['http://[2001:20::1]/', /ORCHID/],
  ])('rejects %s by default', (url, reason) => {
    expect(() => assertDeliverableUrl(url, strict)).toThrow(InvalidWebhookUrlError);
    expect(() => assertDeliverableUrl(url, strict)).toThrow(reason);
  });

  it.each([
    'https://example.com/webhooks',
    'http://8.8.8.8/hook',
    'http://100.63.255.255/',
    'http://100.128.0.1/',
    'http://172.32.0.1/',
    'http://192.169.0.1/',
    'https://[2606:4700:4700::1111]/',
    'http://[::ffff:8.8.8.8]/',
    'https://localhost.example.com/',
  ])('accepts public %s', (url) => {
    expect(assertDeliverableUrl(url, strict).href).toBe(new URL(url).href);
  });

  it.each(['http://127.0.0.1:4000/hook', 'http://localhost:3000/', 'http://[::1]:8080/', 'http://10.0.0.1/'])(
    'accepts %s only when private networks are allowed (local receivers)',
    (url) => {
      expect(assertDeliverableUrl(url, open)).toBeInstanceOf(URL);
      expect(() => assertDeliverableUrl(url, strict)).toThrow(/only public addresses are allowed.*WEBHOOK_ALLOW_PRIVATE_NETWORKS=true/);
    },
  );
});

describe('blockedIpReason', () => {
  it('judges an IPv4 address and its IPv4-mapped IPv6 form alike', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        const blocked = blockedIpReason(v4) !== null;
        expect(blockedIpReason(`::ffff:${v4}`) !== null).toBe(blocked);
      }),
    );
  });

  it('blocks all of 10/8 and 127/8 and 192.168/16', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(octet, octet, octet, (a, b, c) => {
        expect(blockedIpReason(`10.${a}.${b}.${c}`)).toMatch(/private/);
        expect(blockedIpReason(`127.${a}.${b}.${c}`)).toMatch(/loopback/);
        expect(blockedIpReason(`192.168.${b}.${c}`)).toMatch(/private/);
      }),
    );
  });

  it("refuses the host's own interface addresses, however public they are", () => {
    const spy = jest.spyOn(os, 'networkInterfaces').mockReturnValue({
      eth0: [{ address: '93.184.216.34', netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:01', internal: false, cidr: '93.184.216.34/24' }],
      eth1: [{ address: '2606:2800:220:1::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '00:00:00:00:00:02', internal: false, cidr: '2606:2800:220:1::1/64', scopeid: 0 }],
    });
    try {
      expect(blockedIpReason('93.184.216.34')).toMatch(/this host's own address \(interface eth0\)/);
      expect(blockedIpReason('::ffff:93.184.216.34')).toMatch(/eth0/);
      expect(blockedIpReason('2606:2800:220:1:0:0:0:1')).toMatch(/interface eth1/);
      expect(blockedIpReason('93.184.216.35')).toBeNull();
    } finally {
      spy.mockRestore();
    }
    // And on this very machine: every interface address is refused, whatever its range.
    for (const entry of Object.values(os.networkInterfaces()).flat()) {
      if (entry) expect(blockedIpReason(entry.address)).not.toBeNull();
    }
  });

  it('accepts zone ids and brackets, refuses non-addresses', () => {
    expect(blockedIpReason('fe80::1%eth0')).toMatch(/link-local/);
    expect(blockedIpReason('[::1]')).toMatch(/loopback/);
    expect(blockedIpReason('example.com')).toMatch(/not an IP address/);
  });
});

describe('resolveAndCheck', () => {
  it('refuses a name whose DNS answer is private', async () => {
    const resolver = fakeDns({ 'hooks.evil.example': ['10.0.0.5'] });
    await expect(resolveAndCheck('https://hooks.evil.example/x', { ...strict, resolver })).rejects.toThrow(
      /hooks\.evil\.example resolves to 10\.0\.0\.5 \(private/,
    );
  });

  it('refuses if any one of several answers is private', async () => {
    const resolver = fakeDns({ 'mixed.example': ['93.184.216.34', '2606:2800::1', '::1'] });
    await expect(resolveAndCheck('https://mixed.example/', { ...strict, resolver })).rejects.toThrow(
      InvalidWebhookUrlError,
    );
  });

  it('returns every address for a public name', async () => {
    const resolver = fakeDns({ 'shop.example': ['93.184.216.34', '2606:2800::1'] });
    const dest = await resolveAndCheck('https://shop.example/hook', { ...strict, resolver });
    expect(dest.hostname).toBe('shop.example');
    expect(dest.isPublic).toBe(true);
    expect(dest.addresses).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800::1', family: 6 },
    ]);
  });

  it('allows private answers only when private networks are allowed, and says they are not public', async () => {
    const resolver = fakeDns({ 'dev.internal': ['192.168.0.10'] });
    const dest = await resolveAndCheck('http://dev.internal:8080/', { ...open, resolver });
    expect(dest.addresses[0].address).toBe('192.168.0.10');
    expect(dest.isPublic).toBe(false);
    await expect(resolveAndCheck('http://dev.internal:8080/', { ...strict, resolver })).rejects.toThrow(/resolves to 192\.168\.0\.10/);
  });

  it('uses literal IPs without DNS, stripping IPv6 brackets', async () => {
    const resolver: HostResolver = () => Promise.reject(new Error('must not be called'));
    const dest = await resolveAndCheck('http://[2606:4700::1111]:8443/', { ...strict, resolver });
    expect(dest).toMatchObject({ hostname: '2606:4700::1111', addresses: [{ address: '2606:4700::1111', family: 6 }] });
  });

  it('reports an unknown name as WebhookDnsError', async () => {
    const resolver = fakeDns({});
    await expect(resolveAndCheck('https://nowhere.example/', { ...strict, resolver })).rejects.toThrow(WebhookDnsError);
  });

  it('resolves localhost with the real node:dns when allowed, refuses it by name by default', async () => {
    const dest = await resolveAndCheck('http://localhost:1/', open);
    expect(dest.addresses.length).toBeGreaterThan(0);
    for (const { address } of dest.addresses) expect(blockedIpReason(address)).toMatch(/loopback/);
    await expect(resolveAndCheck('http://localhost:1/', strict)).rejects.toThrow(InvalidWebhookUrlError);
  });

  it('still rejects bad schemes before any lookup', async () => {
    await expect(resolveAndCheck('ftp://example.com/', open)).rejects.toThrow(InvalidWebhookUrlError);
  });
});
