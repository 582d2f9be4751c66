import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** The repository root, where `src/main.ts` and `chaos/` live. */
export const ROOT = path.resolve(__dirname, '..');

/** A child process of the harness, with its exit as a promise. */
export interface Child {
  proc: ChildProcess;
  exited: Promise<number | null>;
  /** Last lines of stderr/stdout, for the failure report. */
  tail(): string;
}

/** Runs a TypeScript entry point of the repository with ts-node (transpile only, as `npm start` does). */
export function spawnTs(script: string, args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void): Child {
  const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(ROOT, script), ...args], {
    cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  let partial = '';
  const take = (d: Buffer) => {
    tail = (tail + d.toString()).slice(-3000);
    if (!onLine) return;
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  proc.stdout?.on('data', take);
  proc.stderr?.on('data', take);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return { proc, exited, tail: () => tail };
}

/** Sends `signal` and waits for the exit; SIGKILL after `graceMs`. */
export async function stopChild(child: Child, signal: NodeJS.Signals = 'SIGTERM', graceMs = 30_000): Promise<number | null> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return child.exited;
  child.proc.kill(signal);
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** An embedded PostgreSQL in its own process on a fixed port: stop and start it again at will. */
export interface PostgresProcess {
  url: string;
  stop(): Promise<void>;
}

/** Starts `chaos/postgresProcess.ts` on `dir` and `port`; resolves once it is ready. */
export async function startPostgresProcess(dir: string, port: number): Promise<PostgresProcess> {
  let ready!: (url: string) => void;
  const url = new Promise<string>((resolve) => { ready = resolve; });
  const child = spawnTs('chaos/postgresProcess.ts', [dir, String(port)], process.env, (line) => {
    const m = /^ready (\S+)/.exec(line);
    if (m) ready(m[1]);
  });
  const first = await Promise.race([url, child.exited.then((code) => { throw new Error(`postgres exited (${code}): ${child.tail()}`); })]);
  return { url: first, stop: async () => { await stopChild(child); } };
}
