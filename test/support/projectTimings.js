/**
 * A jest reporter that prints, at the end of a run, each project's test files, tests and the time its
 * files took (summed; with several workers the wall-clock time of the run is less than the sum).
 */
class ProjectTimings {
  constructor() {
    this.projects = new Map();
  }

  onTestResult(test, result) {
    const name = test.context.config.displayName?.name ?? 'default';
    const p = this.projects.get(name) ?? { files: 0, tests: 0, ms: 0 };
    p.files += 1;
    p.tests += result.numPassingTests + result.numFailingTests;
    p.ms += result.perfStats.end - result.perfStats.start;
    this.projects.set(name, p);
  }

  onRunComplete(_contexts, results) {
    if (this.projects.size === 0) return;
    const wall = ((Date.now() - results.startTime) / 1000).toFixed(1);
    const lines = [...this.projects].map(([name, p]) => `  ${name.padEnd(16)} ${String(p.files).padStart(4)} files ${String(p.tests).padStart(5)} tests ${(p.ms / 1000).toFixed(1).padStart(8)} s in files`);
    process.stderr.write(`\nTime per project (run: ${wall} s wall clock):\n${lines.join('\n')}\n`);
  }
}

module.exports = ProjectTimings;
