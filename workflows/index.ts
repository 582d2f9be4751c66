export { checkoutSession } from './checkoutSession';
export { webhookDelivery } from './webhookDelivery';
export { payout } from './payout';
