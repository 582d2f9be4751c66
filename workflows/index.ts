export { checkoutSession } from './checkoutSession';
export { webhookDelivery } from './webhookDelivery';
export { withdrawalLink } from './withdrawalLink';
export { refund } from './refund';
