import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.join(__dirname, '../..');
const dockerClient = spawnSync('docker', ['--version']).status === 0;

/** The compose file is checked by Docker's own parser; only a machine without the docker client skips. */
(dockerClient ? describe : describe.skip)('docker-compose.yml', () => {
  test('`docker compose config` accepts it and it runs the same parts as npm start', () => {
    const json = execFileSync('docker', ['compose', '-f', path.join(root, 'docker-compose.yml'), 'config', '--format', 'json'], {
      env: { ...process.env, ADMIN_API_KEY: 'compose-check-Admin-key-0123456789-XYZ' }, encoding: 'utf8',
    });
    const config = JSON.parse(json);
    expect(Object.keys(config.services).sort()).toEqual(['api', 'postgres', 'temporal', 'temporal-setup', 'temporal-ui', 'watcher', 'worker']);
    for (const part of ['api', 'worker', 'watcher']) {
      expect(config.services[part].command.slice(-1)).toEqual([part]);
      expect(config.services[part].environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233', ADMIN_API_KEY: 'compose-check-Admin-key-0123456789-XYZ' });
    }
  });
});

if (!dockerClient) {
  // Say why, so a skipped check is visible in the output.
  process.stdout.write('docker-compose.yml check skipped: the docker client is not installed on this machine\n');
}
