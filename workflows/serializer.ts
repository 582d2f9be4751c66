import { CancellationScope } from '@temporalio/workflow';

/**
 * Runs async sections one after another inside a workflow, so a signal, an update and a timer never
 * interleave their transitions and effects. Deterministic: plain promise chaining, no I/O. A section is
 * never cancelled half-way: an operator's cancel request reaches the workflow as an input (it
 * deactivates the session), never as an interrupted credit, transfer or payment.
 */
export class Serializer {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(() => CancellationScope.nonCancellable(section));
    this.tail = result.catch(() => undefined);
    return result;
  }
}
