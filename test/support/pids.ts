import fs from 'node:fs';

/** True while process `pid` runs (Linux): a zombie has exited, only its parent's wait is missing. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
