export { checkoutSession } from './checkoutSession';
