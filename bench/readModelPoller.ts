import { fork, type ChildProcess } from 'node:child_process';
import type { SystemHandle } from '../src/system';
import { databaseUrl } from './system';
import type { PollerReply, PollerRequest } from './readModelPollerProcess';

type Kind = 'paid' | 'transfers';

/**
 * Watches the read model (the rows `GET /checkout-sessions/{id}` and `GET /transfers` read) for
 * sessions turning `paid` and for their transfers being posted. One loop, in its own process
 * (readModelPollerProcess.ts), polls every `intervalMs` for all waiting sessions at once, so measuring
 * costs one small query per interval and none of the measured process's event loop. A wait resolves
 * with the time the poll's answer arrived (on this process's `performance.now()` clock): an upper
 * bound, late by at most one interval plus one query.
 */
export class ReadModelPoller {
  private readonly waiters = new Map<string, (at: number) => void>();
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private readonly exited: Promise<void>;

  private constructor(connection: string, intervalMs: number) {
    this.child = fork(require.resolve('./readModelPollerProcess'), [], { execArgv: ['--title=bench-poller', '-r', 'ts-node/register/transpile-only'], stdio: 'inherit' });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      void this.exited.then(() => reject(new Error('the read-model poller exited')));
      this.child.on('message', (m: PollerReply) => {
        if (m.type === 'ready') resolve();
        else this.waiters.get(key(m.kind, m.sessionId))?.(m.atEpochMs - performance.timeOrigin);
      });
    });
    this.send({ type: 'start', connection, intervalMs });
  }

  /** Starts the poller's process and waits until it is connected, so the first wait is not late by its start. */
  static async start(system: SystemHandle, intervalMs: number): Promise<ReadModelPoller> {
    const poller = new ReadModelPoller(databaseUrl(system), intervalMs);
    await poller.ready;
    return poller;
  }

  /** Resolves with `performance.now()` once the session's row shows `paid`. */
  whenPaid(sessionId: string): Promise<number> {
    return this.wait('paid', sessionId, { type: 'paid', sessionId });
  }

  /** Resolves with `performance.now()` once `count` transfers of the session are `paid`. */
  whenTransfersPaid(sessionId: string, count: number): Promise<number> {
    return this.wait('transfers', sessionId, { type: 'transfers', sessionId, count });
  }

  async stop(): Promise<void> {
    if (this.child.connected) this.send({ type: 'stop' });
    await this.exited;
  }

  private wait(kind: Kind, sessionId: string, request: PollerRequest): Promise<number> {
    return new Promise((resolve) => {
      this.waiters.set(key(kind, sessionId), (at) => {
        this.waiters.delete(key(kind, sessionId));
        resolve(at);
      });
      this.send(request);
    });
  }

  private send(request: PollerRequest): void {
    this.child.send(request);
  }
}

const key = (kind: Kind, sessionId: string) => `${kind}:${sessionId}`;
