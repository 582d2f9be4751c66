/**
 * What holds a finished test run open, and which test file left it.
 *
 * `npm test` runs every file in one process (--runInBand), and jest exits only once that process's event
 * loop is empty: a single child process, server, socket or interval a test forgot holds the whole run open
 * after every test passed, until CI kills it on its time limit. Two parts guard against that:
 * - `OpenHandleOrigins` (a reporter): after each test file, it notes which handles are new, so a leak can
 *   be named by the file after which it first appeared.
 * - `exitWatchdog` (jest's testResultsProcessor, the last hook jest runs: after every global teardown):
 *   it gives the process `CHECKOUT_TEST_EXIT_GRACE_MS` (10 s) to exit by itself. If it is still alive
 *   then, it lists every handle that holds it and where it came from, kills the child processes among
 *   them, and exits with jest's own result. Its timer is unref'd: a run that leaks nothing exits as before.
 */
const path = require('node:path');

/** handle -> the test file after which it was first seen (or 'before the first test file'). */
const origins = new WeakMap();

function activeHandles() {
  // The stdio streams are the process's own, not anything a test opened.
  return process._getActiveHandles().filter((h) => h !== process.stdout && h !== process.stderr && h !== process.stdin);
}

function noteHandles(origin) {
  for (const h of activeHandles()) if (!origins.has(h)) origins.set(h, origin);
}

const commandOf = (child) => `${child.pid}: ${(child.spawnargs ?? []).join(' ')}`;

/**
 * One line naming a handle: a child's command, a server's or socket's addresses, else its kind. A pipe is
 * named by the child whose stdio it is, when that child is among `handles`; a pipe outliving its child
 * means a grandchild still holds the other end.
 */
function describeHandle(h, handles = []) {
  const kind = h?.constructor?.name ?? typeof h;
  if (kind === 'ChildProcess') return `child process ${commandOf(h)}`;
  if (typeof h?.address === 'function' && typeof h?.listen === 'function') {
    return `server listening on ${JSON.stringify(h.address())}`;
  }
  if (h?.remotePort) return `socket ${h.localAddress}:${h.localPort} -> ${h.remoteAddress}:${h.remotePort}`;
  if (kind === 'Socket') {
    const owner = handles.find((c) => c?.constructor?.name === 'ChildProcess' && (c.stdio ?? []).includes(h));
    return owner ? `stdio pipe ${owner.stdio.indexOf(h)} of child process ${commandOf(owner)}` : 'pipe (a child\'s stdio or an IPC channel)';
  }
  return kind;
}

class OpenHandleOrigins {
  onRunStart() {
    noteHandles('before the first test file');
  }

  onTestResult(test) {
    noteHandles(path.relative(process.cwd(), test.path));
  }
}

/** The report and the exit, once the grace has passed with the process still alive. Exported for its test. */
function reportAndExit(results, write = (s) => process.stderr.write(s), exit = process.exit) {
  const handles = activeHandles();
  const lines = handles.map((h) => `  - ${describeHandle(h, handles)} (first seen after ${origins.get(h) ?? 'the last test file'})`);
  // Timers are not handles in Node's list: count them by kind from the resource summary.
  const others = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && !['ChildProcess', 'TCPServerWrap', 'TCPSocketWrap', 'PipeWrap', 'ProcessWrap'].includes(r));
  if (others.length > 0) lines.push(`  - other resources: ${others.join(', ')}`);
  write(`\nThe test run finished but the process did not exit: these still hold it open.\n${lines.join('\n')}\n` +
    'Killing the child processes among them and exiting with the run\'s own result.\n');
  for (const h of handles) if (h?.constructor?.name === 'ChildProcess' && h.exitCode === null && h.signalCode === null) h.kill('SIGKILL');
  exit(results.success ? 0 : 1);
}

function exitWatchdog(results) {
  const grace = Number(process.env.CHECKOUT_TEST_EXIT_GRACE_MS ?? 10_000);
  setTimeout(() => reportAndExit(results), grace).unref();
  return results;
}

module.exports = OpenHandleOrigins;
module.exports.exitWatchdog = exitWatchdog;
module.exports.reportAndExit = reportAndExit;
