import { creationActivities } from './creation';
import type { ActivityDeps } from './deps';
import { moneyActivities } from './money';
import { paymentActivities } from './payments';
import { payoutActivities } from './payouts';
import { receiptActivities } from './receipts';
import { sessionActivities } from './sessions';
import { lightningSendActivities } from './lightningSend';
import { refundActivities } from './refunds';
import { webhookActivities } from './webhooks';
import { withdrawalLinkActivities } from './withdrawalLinks';

export type { ActivityDeps } from './deps';

/** Every activity of the worker, built once with its dependencies (samples' dependency injection). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...creationActivities(deps),
    ...sessionActivities(deps),
    ...paymentActivities(deps),
    ...moneyActivities(deps),
    ...payoutActivities(deps),
    ...receiptActivities(deps),
    ...webhookActivities(deps),
    ...withdrawalLinkActivities(deps),
    ...lightningSendActivities(deps),
    ...refundActivities(deps),
  };
}
