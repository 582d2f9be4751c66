import fs from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

/**
 * Records a V8 CPU profile of this process (API, worker, watcher) around `fn` and writes it as
 * `<file>.cpuprofile` (open it in Chrome DevTools or VS Code). With `file` null, just runs `fn`.
 */
export async function profiled<T>(file: string | null, fn: () => Promise<T>): Promise<T> {
  if (!file) return fn();
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<any>((resolve, reject) => {
    session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result)));
  });
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await post('Profiler.stop');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    console.log(`  CPU profile written to ${file}`);
  }
}

/** The functions with the most self time in a written profile, for a first look without DevTools. */
export function topSelfTime(file: string, limit = 25): { fn: string; ms: number; pct: number }[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[]; timeDeltas: number[];
  };
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byNode.get(id)!.callFrame;
    const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^.*\/main\//, '')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((s, x) => s + x, 0);
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit)
    .map(([fn, ms]) => ({ fn, ms: Math.round(ms), pct: Math.round((ms / total) * 1000) / 10 }));
}
