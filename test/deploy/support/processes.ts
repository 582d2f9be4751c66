import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const root = path.join(__dirname, '../../..');

/** A child process of the product whose combined output is kept for assertions and failure messages. */
export interface Started {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `node <args>` in the repository root with exactly `env` (nothing inherited). */
export function startNode(args: string[], env: Record<string, string>): Started {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers `status`, failing early if one of `processes` exits. */
export async function waitForStatus(url: string, status: number, processes: Started[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const p of processes) {
      if (p.child.exitCode !== null) throw new Error(`a process exited (${p.child.exitCode}) before ${url} answered:\n${p.output().slice(-4000)}`);
    }
    const got = await fetch(url).then((r) => r.status, () => 0);
    if (got === status) return;
    if (Date.now() > deadline) {
      throw new Error(`${url} answered ${got}, not ${status}, within ${timeoutMs} ms:\n${processes.map((p) => p.output().slice(-3000)).join('\n---\n')}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Waits until `p` has printed `text` (the banner comes a moment after /health turns 200). */
export async function waitForOutput(p: Started, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!p.output().includes(text)) {
    if (p.child.exitCode !== null || Date.now() > deadline) throw new Error(`"${text}" never printed:\n${p.output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
