import { z } from 'zod';
import { listQuery } from '../lists';

export { createWithdrawalLinkSchema, MAX_WITHDRAWAL_LINK_TTL_SECONDS, type CreateWithdrawalLinkInput } from '../../domain/input/withdrawalLink';

export const WITHDRAWAL_LINK_STATUSES = ['active', 'processing', 'paid', 'expired', 'deactivated'] as const;

/** Query of `GET /withdrawal-links`. */
export const listWithdrawalLinksQuery = listQuery({ status: z.enum(WITHDRAWAL_LINK_STATUSES).optional() });
