import fs from 'node:fs';
import path from 'node:path';
import { startupBanner } from '../../src/banner';

/**
 * The README is a newcomer's page: it points only at files of this repository, cites no document a
 * user does not have, and shows the banner `npm start` really prints.
 */
const root = path.join(__dirname, '../..');
const pages = ['README.md', 'bench/README.md', ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (page: string) => fs.readFileSync(path.join(root, page), 'utf8');

test.each(pages)('%s links only to files inside the repository', (page) => {
  const targets = [...read(page).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1].split('#')[0]).filter((t) => t && !/^[a-z]+:/i.test(t));
  for (const target of targets) {
    const resolved = path.resolve(root, path.dirname(page), target);
    expect({ target, inside: resolved.startsWith(root + path.sep), exists: fs.existsSync(resolved) }).toEqual({ target, inside: true, exists: true });
  }
});

test.each(pages)('%s cites no SPEC section and no notes a user does not have', (page) => {
  expect(read(page)).not.toMatch(/SPEC\s*§|\.\.\/shared\/|issue notes/);
});

test("the README's banner is the one npm start prints", () => {
  const block = /```\n(Checkout is running\.[\s\S]*?)```/.exec(read('README.md'))![1].trimEnd().split('\n');
  // A README line with `…` stands for any value there.
  const patterns = block.map((line) => new RegExp(`^${line.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`));
  const printed = startupBanner({
    publicUrl: 'http://localhost:3000', adminKey: 'admin_x', adminKeyFromEnv: false,
    demo: { accountId: 'acct_x', secretKey: 'sk_test_x', extraLines: [] }, temporalUiUrl: 'http://127.0.0.1:8233',
    temporal: { address: '127.0.0.1:7233', namespace: 'default', embedded: true },
    postgres: { port: 5432, passwordFile: '/home/u/shop/.data/postgres.password' }, webhooksAllowPrivateNetworks: false,
  }).split('\n');
  for (const line of printed) expect({ line, inReadme: patterns.some((p) => p.test(line)) }).toEqual({ line, inReadme: true });
});
