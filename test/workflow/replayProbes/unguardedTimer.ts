/**
 * A workflow change made WITHOUT a patch, for the replay gate's own test: one extra timer before the
 * session's first command, as a refactor that adds a `sleep` or an activity would. Recorded histories
 * must refuse it.
 */
import { sleep, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [{
    async execute(input, next) {
      await sleep(1);
      return next(input);
    },
  }],
});
