/**
 * Runs async sections one after another inside a workflow, so a signal, an update and a timer never
 * interleave their transitions and effects. Deterministic: plain promise chaining, no I/O.
 */
export class Serializer {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(section);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
