import { z } from 'zod';
import { listQuery } from '../lists';
import { objectId } from '../../domain/input/common';

export { createWebhookSchema, updateWebhookSchema, type CreateWebhookInput, type UpdateWebhookInput } from '../../domain/input/webhook';

/** `POST /webhooks/{id}/redeliver`. */
export const redeliverSchema = z.object({
  event: objectId('evt'),
}).strict();

/** `GET /webhooks/{id}/deliveries`, optionally the attempts of one event. */
export const deliveriesQuerySchema = listQuery({ event: objectId('evt').optional() }, 'whd');

