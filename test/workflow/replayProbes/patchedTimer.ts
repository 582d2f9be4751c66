/**
 * The same change as unguardedTimer.ts, behind `patched()`: new runs take the new path, recorded
 * histories (no marker) keep the old one. Recorded histories must accept it.
 */
import { patched, sleep, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [{
    async execute(input, next) {
      if (patched('replay-gate-probe')) await sleep(1);
      return next(input);
    },
  }],
});
