import { z } from 'zod';
import { isEventSelector, WEBHOOK_EVENT_RESOURCES, WEBHOOK_EVENT_TYPES } from '../eventTypes';
import { httpUrl, updateText } from './common';

const eventSelector = z.string().refine(isEventSelector, {
  message: `must be "*", a resource wildcard (${WEBHOOK_EVENT_RESOURCES.map((r) => `${r}.*`).join(', ')}) or one of the event types ${WEBHOOK_EVENT_TYPES.join(', ')}`,
}).meta({ enum: ['*', ...WEBHOOK_EVENT_RESOURCES.map((r) => `${r}.*`), ...WEBHOOK_EVENT_TYPES] });

// Duplicates are dropped rather than refused: the set of selected types is what matters.
const enabledEvents = z.array(eventSelector).min(1).max(50).transform((list) => [...new Set(list)]);

const description = z.string().max(500).nullable().optional();

/** `POST /webhooks`. */
export const createWebhookSchema = z.object({
  url: httpUrl,
  enabled_events: enabledEvents,
  description,
}).strict();

/** `POST /webhooks/{id}`: any subset (a field left out is kept); `disabled` pauses deliveries without deleting the endpoint. */
export const updateWebhookSchema = z.object({
  url: httpUrl.optional(),
  enabled_events: enabledEvents.optional(),
  // `""` clears the description; `null` is refused (see updateText).
  description: updateText(500).transform((v) => v || null).optional(),
  disabled: z.boolean().optional(),
}).strict();

export type CreateWebhookInput = z.infer<typeof createWebhookSchema>;
export type UpdateWebhookInput = z.infer<typeof updateWebhookSchema>;
