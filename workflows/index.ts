export { checkoutSession } from './checkoutSession';
export { webhookDelivery } from './webhookDelivery';
export { payout } from './payout';
export { withdrawalLink } from './withdrawalLink';
export { refund } from './refund';
