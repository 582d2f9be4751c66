import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';

/** Memory of this process, which holds the worker (and the API, watcher and bench client). */
export interface ProcessMemory {
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const mb = (bytes: number) => Math.round(bytes / 1024 / 102.4) / 10;

/** This process's memory after a full garbage collection (so only what is still held counts). */
export function processMemory(): ProcessMemory {
  gc();
  const m = process.memoryUsage();
  return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), externalMb: mb(m.external + m.arrayBuffers) };
}

/** Resident memory (MB) of the child processes this one started whose command name matches `name`. */
export function childRssMb(name: RegExp): number | null {
  let total = 0;
  let found = false;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid || !name.test(comm)) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'));
      if (rss) { total += Number(rss[1]) * 1024; found = true; }
    } catch { /* the process went away while we looked */ }
  }
  return found ? mb(total) : null;
}
