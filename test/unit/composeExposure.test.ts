import fs from 'node:fs';
import path from 'node:path';

/**
 * Temporal's frontend and Web UI carry no auth, so docker-compose.yml publishes them on the host's
 * loopback by default. Read as text (the docker client is not needed): every published port of the two
 * services must name a bind address that defaults to 127.0.0.1.
 */
function publishedPorts(service: string): string[] {
  const text = fs.readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8');
  const block = text.split(/\n(?= {2}[a-z][\w-]*:\n)/).find((b) => b.startsWith(`  ${service}:\n`));
  if (!block) throw new Error(`service ${service} not found in docker-compose.yml`);
  const ports = block.split(/\n {4}ports:\n/)[1];
  return ports ? [...ports.matchAll(/^\s+- "([^"]+)"/gm)].map((m) => m[1]) : [];
}

test.each(['temporal', 'temporal-ui'])('%s is published only on loopback by default', (service) => {
  const ports = publishedPorts(service);
  expect(ports.length).toBeGreaterThan(0);
  for (const p of ports) expect(p).toMatch(/^\$\{TEMPORAL_PUBLISH_HOST:-127\.0\.0\.1\}:\d+:\d+$/);
});
