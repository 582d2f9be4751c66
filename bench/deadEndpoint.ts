import { fork, type ChildProcess } from 'node:child_process';
import type { DeadEndpointReply, DeadMode } from './deadEndpointProcess';

/** A dead webhook receiver on loopback (deadEndpointProcess.ts), run in its own process. */
export class DeadEndpoint {
  private constructor(private readonly child: ChildProcess, readonly url: string) {}

  static async start(mode: DeadMode): Promise<DeadEndpoint> {
    const child = fork(require.resolve('./deadEndpointProcess'), [mode], { execArgv: ['--title=bench-deadhook', '-r', 'ts-node/register/transpile-only'], stdio: 'inherit' });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the dead endpoint exited with ${code}`)));
      child.once('message', (m: DeadEndpointReply) => { if (m.type === 'listening') resolve(m.port); });
    });
    return new DeadEndpoint(child, `http://127.0.0.1:${port}/hook`);
  }

  /** Requests it has received so far (delivery attempts). */
  requests(): Promise<number> {
    return new Promise((resolve) => {
      const on = (m: DeadEndpointReply) => { if (m.type === 'count') { this.child.off('message', on); resolve(m.requests); } };
      this.child.on('message', on);
      this.child.send({ type: 'count' });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'stop' });
    await exited;
  }
}
