export { checkoutSession } from './checkoutSession';
export { webhookDelivery } from './webhookDelivery';
