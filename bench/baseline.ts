import { randomBytes } from 'node:crypto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { workerTuning } from '../src/temporal/worker';
import { rate, runPool, summarize, timed, type Summary } from './stats';
import type { BenchSystem } from './system';

/** Figures of the bare-Temporal baseline. */
export interface BaselineResult {
  workflows: number;
  concurrency: number;
  /** Complete lifecycles (start, signal, completion) per second: the limit creation is compared with. */
  workflowsPerSec: number;
  start: Summary;
  signalToComplete: Summary;
}

/**
 * Runs `n` bare workflows (start, one signal, complete) through their own worker on their own task
 * queue, on the same server and with the same slots (workerTuning) as the checkout worker. Each lane starts a
 * workflow, signals it and waits for its result, so throughput counts finished lifecycles.
 */
export async function runBaseline(sys: BenchSystem, address: string, n: number, concurrency: number): Promise<BaselineResult> {
  const taskQueue = `bench-baseline-${randomBytes(4).toString('hex')}`;
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection, namespace: sys.config.temporal.namespace, taskQueue,
    workflowsPath: require.resolve('./baselineWorkflow'), ...workerTuning(sys.config.worker),
  });
  const running = worker.run();
  try {
    const cycle = async (i: number, starts?: number[], signals?: number[]) => {
      const started = await timed(() => sys.temporal.workflow.start('baselineWorkflow', {
        workflowId: `${taskQueue}-${i}`, taskQueue,
      }));
      const signalled = await timed(async () => {
        await started.value.signal('go');
        await started.value.result();
      });
      starts?.push(started.ms);
      signals?.push(signalled.ms);
    };
    await runPool(Math.min(n, 2 * concurrency), concurrency, (i) => cycle(-1 - i)); // warm the worker up
    const starts: number[] = [];
    const signals: number[] = [];
    const wallMs = await runPool(n, concurrency, (i) => cycle(i, starts, signals));
    return {
      workflows: n, concurrency, workflowsPerSec: rate(n, wallMs), start: summarize(starts), signalToComplete: summarize(signals),
    };
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
}
