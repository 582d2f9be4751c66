import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** With the process guards installed (as `src/main.ts` does), an unhandled rejection is logged, not fatal. */
test('an unhandled promise rejection is logged and the process keeps running', () => {
  const root = path.resolve(__dirname, '../..');
  const script = `
    const { installProcessGuards } = require('./src/processGuards');
    const { createLogger } = require('./src/logger');
    installProcessGuards(createLogger('info'));
    Promise.reject(new Error('nobody awaits this'));
    setTimeout(() => { process.stdout.write('still running\\n'); process.exit(0); }, 300);
  `;
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('unhandled promise rejection (process kept running)');
  expect(run.stdout).toContain('nobody awaits this');
  expect(run.stdout).toContain('still running');
});
