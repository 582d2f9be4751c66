/**
 * A change to the delivery workflow's wake-up path made WITHOUT a patch: one extra timer when the
 * waker's `endpointRecovered` signal is handled. Only histories that took that path (a parked delivery
 * woken, one started by the signal) issue the extra command; those must refuse it.
 */
import { sleep, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { WEBHOOK_WAKE_SIGNAL } from '../../../src/webhooks/deliveryTypes';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [{
    async handleSignal(input, next) {
      if (input.signalName === WEBHOOK_WAKE_SIGNAL) await sleep(1);
      return next(input);
    },
  }],
});
