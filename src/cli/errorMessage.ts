/**
 * A failure as one readable line for an operator tool's output: never `undefined` or an empty string
 * (a connection refused on several addresses is an AggregateError with no message of its own).
 */
export function errorMessage(err: unknown): string {
  if (err instanceof AggregateError && !err.message) return err.errors.map(errorMessage).join('; ') || 'several errors';
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const text = err.message || err.name;
    return code && !text.includes(code) ? `${text} (${code})` : text;
  }
  if (err === undefined || err === null || err === '') return 'it failed without saying why (no error was given)';
  return String(err);
}
